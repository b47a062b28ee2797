/** Controller and the reconcile template through the in-memory fakes. */
import { describe, expect, it } from "@jest/globals";
import type { KubeObject } from "@spillway/api";
import { Controller, watch } from "./controller.ts";
import { FakeObjects } from "./testing/fake-objects.ts";
import { reconciler } from "./reconciler.ts";
import { until } from "./testing/until.ts";

type Thing = KubeObject<{ size: number }, { observedGeneration?: number; doubled?: number }>;
const thing = (name: string, size = 1): Thing => ({
  apiVersion: "test/v1",
  kind: "Thing",
  metadata: { name, namespace: "ns" },
  spec: { size },
});

describe("Controller", () => {
  it("reconciles every cached object on start and each change after, and nothing while stopped", async () => {
    const things = new FakeObjects<Thing>("Thing");
    things.seed(thing("a"));
    const seen: string[] = [];
    const c = new Controller({ name: "t", primary: things, reconcile: async (key) => void seen.push(key) });
    things.seed(thing("b")); // before start: not reconciled until start
    expect(seen).toEqual([]);
    await c.start();
    await until(() => seen.length === 2, "both cached objects");
    expect(seen.sort()).toEqual(["ns/a", "ns/b"]);
    things.seed(thing("a", 2));
    await until(() => seen.length === 3, "the change");
    await c.stop();
    things.seed(thing("a", 3));
    await new Promise((r) => setImmediate(r));
    expect(seen).toHaveLength(3);
  });

  it("maps a secondary object's change to the primary keys it affects", async () => {
    const things = new FakeObjects<Thing>("Thing");
    const parts = new FakeObjects<Thing>("Part");
    things.seed(thing("owner"));
    const seen: string[] = [];
    const c = new Controller({
      name: "t",
      primary: things,
      secondary: [watch(parts, (p) => [`ns/${p.metadata.name!.split("-")[0]}`])],
      reconcile: async (key) => void seen.push(key),
    });
    await c.start();
    await until(() => seen.length === 1, "initial");
    parts.seed(thing("owner-part1"));
    await until(() => seen.length === 2, "part change");
    expect(seen).toEqual(["ns/owner", "ns/owner"]);
    await c.stop();
  });
});

describe("reconciler", () => {
  const spec = (things: FakeObjects<Thing>, log: string[]) =>
    reconciler<Thing, NonNullable<Thing["status"]>, number, number, void>({
      cache: things,
      client: things,
      finalizer: "test/finalizer",
      finalize: async (t) => {
        log.push(`finalize ${t.metadata.name}`);
        return true;
      },
      observe: async (t) => t.spec.size,
      decide: (_t, size) => size * 2,
      apply: async (t, d) => void log.push(`apply ${t.metadata.name}=${d}`),
      status: (latest, d) => ({ observedGeneration: latest.metadata.generation, doubled: d }),
      requeueAfterMs: (d) => (d > 10 ? 1000 : undefined),
    });

  it("adds the finalizer, observes, decides, applies and writes the status, once", async () => {
    const things = new FakeObjects<Thing>("Thing");
    const log: string[] = [];
    const r = spec(things, log);
    await things.create(thing("a", 3));
    expect(await r("ns/a")).toBeUndefined();
    const a = things.get("a", "ns")!;
    expect(a.metadata.finalizers).toEqual(["test/finalizer"]);
    expect(a.status).toEqual({ observedGeneration: 1, doubled: 6 });
    expect(log).toEqual(["apply a=6"]);
    const writes = things.writes().length;
    await r("ns/a");
    expect(things.writes().length).toBe(writes); // status unchanged: not written again
  });

  it("asks to look again when the decision says so", async () => {
    const things = new FakeObjects<Thing>("Thing");
    await things.create(thing("big", 6));
    expect(await spec(things, [])("ns/big")).toEqual({ requeueAfterMs: 1000 });
  });

  it("finalizes a deleted object, then lets it go; a missing object is done", async () => {
    const things = new FakeObjects<Thing>("Thing");
    const log: string[] = [];
    const r = spec(things, log);
    await things.create(thing("a"));
    await r("ns/a");
    await things.delete({ namespace: "ns", name: "a" });
    await r("ns/a");
    expect(log).toEqual(["apply a=2", "finalize a"]);
    expect(things.get("a", "ns")).toBeUndefined();
    expect(await r("ns/a")).toBeUndefined();
  });

  it("recomputes the status from the latest object after a conflict", async () => {
    const things = new FakeObjects<Thing>("Thing");
    await things.create(thing("a", 1));
    const r = spec(things, []);
    await r("ns/a");
    things.failNext("replaceStatus", Object.assign(new Error("conflict"), { code: 409 }));
    things.seed({ ...things.get("a", "ns")!, spec: { size: 5 }, metadata: { ...things.get("a", "ns")!.metadata, generation: 2 } });
    await r("ns/a");
    expect(things.get("a", "ns")!.status).toEqual({ observedGeneration: 2, doubled: 10 });
  });
});

describe("FakeObjects", () => {
  it("refuses a stale write with 409 and bumps generation only on spec changes", async () => {
    const things = new FakeObjects<Thing>("Thing");
    const a = await things.create(thing("a"));
    const b = await things.replace({ ...a, metadata: { ...a.metadata, labels: { x: "1" } } });
    expect(b.metadata.generation).toBe(1);
    await expect(things.replace({ ...a, spec: { size: 2 } })).rejects.toMatchObject({ code: 409 });
    const c = await things.replace({ ...b, spec: { size: 2 } });
    expect(c.metadata.generation).toBe(2);
    await expect(things.create(thing("a"))).rejects.toMatchObject({ code: 409 });
    await expect(things.get({ namespace: "ns", name: "nope" })).rejects.toMatchObject({ code: 404 });
  });
});
