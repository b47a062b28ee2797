/** The typed NATS bus against a real nats-server with JetStream. */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Bus, jsonCodec, topics, type PlacementChanged } from "@spillway/bus";
import { natsUrl } from "./env.ts";
import { eventually, uniqueName } from "./helpers.ts";

describe("bus", () => {
  let bus: Bus;
  beforeAll(async () => {
    bus = await Bus.connect({ servers: natsUrl, name: "e2e" });
  });
  afterAll(() => bus.close());

  it("delivers a typed event on the topic's subject to a wildcard subscriber", async () => {
    const got: Array<[PlacementChanged, string]> = [];
    bus.subscribe(topics.placement, (value, subject) => {
      got.push([value, subject]);
    });
    await bus.connection.flush();
    const ns = uniqueName("ns");
    bus.publish(topics.placement, { namespace: ns, name: "web", kind: "FederatedDeployment", generation: 3 }, ns, "web");
    const [value, subject] = await eventually("event", async () => got.find(([v]) => v.namespace === ns), 5000, 20);
    expect(subject).toBe(`spillway.placement.${ns}.web`);
    expect(value.generation).toBe(3);
  });

  it("stores and reads back the latest value per key in a JetStream KV bucket", async () => {
    const kv = await bus.kv(uniqueName("e2e-kv"), jsonCodec<{ revision: number }>());
    const r1 = await kv.put("idc-1", { revision: 1 });
    const r2 = await kv.put("idc-1", { revision: 2 });
    expect(r2).toBeGreaterThan(r1);
    expect(await kv.get("idc-1")).toEqual({ value: { revision: 2 }, revision: r2 });
    expect(await kv.get("absent")).toBeUndefined();
  });
});
