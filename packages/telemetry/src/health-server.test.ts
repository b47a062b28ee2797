import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { HealthServer } from "./health-server.ts";
import { setupTelemetry } from "./telemetry.ts";

describe("HealthServer", () => {
  const telemetry = setupTelemetry({ serviceName: "test" });
  const server = new HealthServer(telemetry.metricsHandler);
  let base = "";
  let natsUp = false;

  beforeAll(async () => {
    server.addReadinessCheck("nats", () => natsUp || "not connected");
    telemetry.meter.createCounter("spillway_test_total").add(3);
    const addr = await server.listen(0, "127.0.0.1");
    base = `http://127.0.0.1:${addr.port}`;
  });
  afterAll(async () => {
    await server.close();
    await telemetry.shutdown();
  });

  it("is alive regardless of readiness", async () => {
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it("reports not ready with the failing check until it passes", async () => {
    const before = await fetch(`${base}/readyz`);
    expect(before.status).toBe(503);
    expect(await before.text()).toContain("nats: not connected");
    natsUp = true;
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });

  it("serves OpenTelemetry metrics in the Prometheus format", async () => {
    const body = await (await fetch(`${base}/metrics`)).text();
    expect(body).toMatch(/spillway_test_total(\{[^}]*\})? 3/);
  });
});
