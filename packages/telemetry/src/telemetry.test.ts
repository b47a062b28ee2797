/** The runtime metrics every service exports, read through a real Prometheus scrape. */
import { afterEach, describe, expect, it } from "@jest/globals";
import { createServer, type Server } from "node:http";
import { setupTelemetry, type Telemetry } from "./telemetry.ts";

let telemetry: Telemetry | undefined;
let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  await telemetry?.shutdown();
});

async function scrape(t: Telemetry): Promise<string> {
  server ??= await new Promise<Server>((resolve) => {
    const s = createServer(t.metricsHandler);
    s.listen(0, "127.0.0.1", () => resolve(s));
  });
  const { port } = server.address() as { port: number };
  return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
}

const gauge = (text: string, name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.eE+-]+)$`, "m").exec(text)?.[1] ?? NaN);

describe("setupTelemetry", () => {
  it("exports how long the event loop was held up since the last scrape", async () => {
    telemetry = setupTelemetry({ serviceName: "test" });
    await scrape(telemetry); // starts the window afresh
    const until = performance.now() + 600;
    while (performance.now() < until); // a stall, as a big synchronous relist makes one
    await new Promise((r) => setTimeout(r, 50)); // lets the monitor's timer see it
    const text = await scrape(telemetry);
    expect(gauge(text, "nodejs_eventloop_lag_max_seconds")).toBeGreaterThanOrEqual(0.55);
    expect(gauge(text, "nodejs_eventloop_lag_p99_seconds")).toBeGreaterThan(0);

    await new Promise((r) => setTimeout(r, 100));
    const after = await scrape(telemetry);
    expect(gauge(after, "nodejs_eventloop_lag_max_seconds")).toBeLessThan(0.55);
  });
});
