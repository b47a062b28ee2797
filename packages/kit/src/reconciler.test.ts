import { describe, expect, it } from "@jest/globals";
import type { KubeObject } from "@spillway/api";
import { FakeObjects } from "./testing/fake-objects.ts";
import type { ObjectCache } from "./object-store.ts";
import { reconciler } from "./reconciler.ts";

type Counter = KubeObject<{ step: number }, { recorded: number[] }>;

/** An informer cache that has not seen anything since `freeze`: what a watch that lags looks like. */
function laggingCache(source: FakeObjects<Counter>) {
  let frozen: Map<string, Counter> | undefined;
  const cache: ObjectCache<Counter> & { freeze(): void } = {
    get: (name, namespace) => (frozen ? frozen.get(`${namespace}/${name}`) : (source.get(name, namespace) as Counter | undefined)),
    list: (namespace) => source.list(namespace),
    freeze: () => void (frozen = new Map(source.list().map((o) => [`${o.metadata.namespace}/${o.metadata.name}`, structuredClone(o)]))),
  };
  return cache;
}

describe("reconciler", () => {
  // Each reconcile records one more entry in status from what it read, as the autoscaler records
  // its scale events: a decision made from a status older than the last write loses entries.
  const setup = () => {
    const objects = new FakeObjects<Counter>("Counter");
    objects.seed({ apiVersion: "spillway.dev/v1alpha1", kind: "Counter", metadata: { name: "c", namespace: "ns" }, spec: { step: 1 } });
    const cache = laggingCache(objects);
    const seen: number[][] = [];
    const reconcile = reconciler<Counter, Counter["status"], void, number[]>({
      cache,
      client: objects,
      observe: async () => undefined,
      decide: (o) => {
        seen.push(o.status?.recorded ?? []);
        return [...(o.status?.recorded ?? []), (o.status?.recorded ?? []).length + 1];
      },
      apply: async () => undefined,
      status: (_latest, d) => ({ recorded: d }),
      requeueAfterMs: () => undefined,
    });
    return { objects, cache, seen, reconcile };
  };

  it("decides from the object itself, not from a cache behind its own last status write", async () => {
    const { objects, cache, seen, reconcile } = setup();
    cache.freeze();
    await reconcile("ns/c");
    await reconcile("ns/c");
    expect(seen).toEqual([[], [1]]);
    expect((objects.get("c", "ns") as Counter).status?.recorded).toEqual([1, 2]);
  });

  it("reads from the cache, with no extra request, when it has caught up with the write", async () => {
    const { objects, seen, reconcile } = setup();
    await reconcile("ns/c");
    const gets = () => objects.calls.filter((c) => c.verb === "get").length;
    const before = gets();
    await reconcile("ns/c");
    expect(gets()).toBe(before);
    expect(seen).toEqual([[], [1]]);
  });

  it("sends the finalizer's patch beside observe's reads, and decides and applies only with it in place", async () => {
    const objects = new FakeObjects<Counter>("Counter");
    objects.seed({ apiVersion: "spillway.dev/v1alpha1", kind: "Counter", metadata: { name: "c", namespace: "ns" }, spec: { step: 1 } });
    const order: string[] = [];
    const client = Object.assign(Object.create(objects) as FakeObjects<Counter>, {
      mergePatch: async (...args: Parameters<FakeObjects<Counter>["mergePatch"]>) => {
        order.push("patch sent");
        const patched = await objects.mergePatch(...args);
        order.push("patch done");
        return patched;
      },
    });
    const reconcile = reconciler<Counter, Counter["status"], void, string>({
      cache: objects,
      client,
      finalizer: "spillway.dev/test",
      observe: async () => void order.push("observe"),
      decide: (o) => String(o.metadata.finalizers),
      apply: async (_o, finalizers) => void order.push(`apply with ${finalizers}`),
      requeueAfterMs: () => undefined,
    });
    await reconcile("ns/c");
    expect(order).toEqual(["patch sent", "observe", "patch done", "apply with spillway.dev/test"]);
  });
});
