import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { decide, newLedgers, type PassContext } from "./decide.ts";
import { cluster, nodes16, testbedFleet, testConfig, workload } from "./testing/fixtures.ts";
import type { ClusterView, Decision, Observed, PreviousPlacement, WorkloadRequest } from "./types.ts";

const ctxOf = (clusters: ClusterView[], nowMs = 1_000_000, inflight: PassContext["inflight"] = []): PassContext => ({
  clusters,
  inflight,
  nowMs,
  config: testConfig,
});
const place = (
  w: WorkloadRequest,
  clusters: ClusterView[],
  previous?: PreviousPlacement,
  observed: Record<string, Observed> = {},
  nowMs = 1_000_000,
) => {
  const ctx = ctxOf(clusters, nowMs);
  return decide(w, observed, previous, newLedgers(ctx), ctx);
};
const split = (d: Decision) => Object.fromEntries(d.clusters.map((c) => [c.name, c.replicas]));

describe("decide", () => {
  it("fills IDC in priority order and spills only the overflow to cloud", () => {
    // 4 CPU each: idc-1 and idc-2 hold 16 each (4 nodes × 4), cloud the rest.
    const d = place(workload("shop/web", 40, 4000), testbedFleet());
    expect(split(d)).toEqual({ "idc-1": 16, "idc-2": 16, "cloud-1": 8 });
    expect(d.unschedulable).toBe(0);
    expect(d.clusters.find((c) => c.name === "cloud-1")!.reason).toMatch(/overflow: idc-1, idc-2 full/);
  });

  it("releases the replicas of a member holding its own object where the host holds a dependency, and says why", () => {
    const w = workload("shop/web", 4, 1000, { dependencyConflicts: { "idc-1": ["ConfigMap/web"] } });
    const d = place(w, testbedFleet(), { replicas: { "idc-1": 4 } });
    expect(split(d)).toEqual({ "idc-2": 4 });
    expect(d.unschedulable).toBe(0);
    // Resolved (the status no longer lists it): new replicas may go there again.
    expect(split(place(workload("shop/web", 4, 1000), testbedFleet()))).toEqual({ "idc-1": 4 });
  });

  it("reserves room given to one workload for the rest of the pass", () => {
    const fleet = testbedFleet();
    const ctx = ctxOf(fleet);
    const ledgers = newLedgers(ctx);
    const a = decide(workload("a", 24, 4000), {}, undefined, ledgers, ctx);
    const b = decide(workload("b", 24, 4000), {}, undefined, ledgers, ctx);
    expect(split(a)).toEqual({ "idc-1": 16, "idc-2": 8 });
    expect(split(b)).toEqual({ "idc-2": 8, "cloud-1": 16 });
  });

  it("counts replicas placed earlier but not yet running against the room", () => {
    const fleet = testbedFleet();
    const ctx = ctxOf(fleet, 0, [{ workload: workload("other", 16, 4000), cluster: "idc-1", replicas: 16 }]);
    expect(split(decide(workload("w", 4, 4000), {}, undefined, newLedgers(ctx), ctx))).toEqual({ "idc-2": 4 });
  });

  it("spills only a GPU workload's overflow to cloud", () => {
    const d = place(workload("ml/llm", 6, 1000, { perReplica: { cpu: 1000, "nvidia.com/gpu": 4 } }), testbedFleet());
    // Each IDC has one 8-GPU node: 2 replicas each; cloud nodes have 4 GPUs: one each.
    expect(split(d)).toEqual({ "idc-1": 2, "idc-2": 2, "cloud-1": 2 });
  });

  it("says what is short when a replica fits nowhere", () => {
    const d = place(workload("ml/big", 1, 1000, { perReplica: { cpu: 1000, "nvidia.com/gpu": 10 } }), testbedFleet());
    expect(d.unschedulable).toBe(1);
    expect(d.message).toBe("1 of 1 replica(s) fit nowhere: needs 10 nvidia.com/gpu per replica; largest free node has 8");
  });

  it.each<[string, Partial<WorkloadRequest>, RegExp]>([
    ["a selector no node matches", { nodeSelector: { disk: "nvme" } }, /no node in idc-1, idc-2, cloud-1 matches the pod's nodeSelector/],
    [
      "cluster names that exist nowhere",
      { placement: { clusterNames: ["mars-1"] } },
      /no member cluster is eligible \(cluster idc-1 is not in placement.clusterNames/,
    ],
  ])("explains %s", (_what, extra, message) => {
    expect(place(workload("w", 2, 1000, extra), testbedFleet()).message).toMatch(message);
  });

  it("keeps existing assignments when scaling up and adds in order", () => {
    const d = place(workload("w", 12, 4000), testbedFleet(), { replicas: { "cloud-1": 4, "idc-2": 2 } });
    expect(split(d)).toEqual({ "idc-1": 6, "idc-2": 2, "cloud-1": 4 });
  });

  it("scales down from cloud first, then from the member with the most replicas", () => {
    const prev = { replicas: { "idc-1": 16, "idc-2": 10, "cloud-1": 8 } };
    expect(split(place(workload("w", 30, 4000), testbedFleet(), prev))).toEqual({ "idc-1": 16, "idc-2": 10, "cloud-1": 4 });
    expect(split(place(workload("w", 20, 4000), testbedFleet(), prev))).toEqual({ "idc-1": 10, "idc-2": 10 });
  });

  it("keeps replicas on a member not Ready within the grace period and moves them after it", () => {
    const prev = { replicas: { "idc-1": 8, "idc-2": 8 } };
    const within = testbedFleet().map((c) => (c.name === "idc-1" ? { ...c, ready: false, notReadyForMs: 10_000 } : c));
    expect(split(place(workload("w", 16, 4000), within, prev))).toEqual({ "idc-1": 8, "idc-2": 8 });
    const past = testbedFleet().map((c) => (c.name === "idc-1" ? { ...c, ready: false, notReadyForMs: 31_000 } : c));
    const d = place(workload("w", 16, 4000), past, prev);
    expect(split(d)).toEqual({ "idc-2": 16 });
  });

  it("moves replicas Pending-unschedulable past the threshold to a member with room", () => {
    const prev = { replicas: { "idc-1": 10 } };
    const d = place(workload("w", 10, 4000), testbedFleet(), prev, {
      "idc-1": { bound: 7, unschedulable: 3, oldestUnschedulableMs: 90_000 },
    });
    expect(split(d)).toEqual({ "idc-1": 7, "idc-2": 3 });
    expect(d.clusters[0]!.reason).toMatch(/3 replica\(s\) Pending unschedulable longer than 60s moved/);
  });

  it("fails back to IDC in steps of failbackStep, after the hold-down, once each step has landed", () => {
    const fleet = [cluster("idc-1", "idc", 10, nodes16(1)), cluster("cloud-1", "cloud", 100, nodes16(4))];
    const w = workload("w", 6, 4000, { failbackStep: 2 });
    const prev = { replicas: { "idc-1": 2, "cloud-1": 4 } };
    const landed = {
      "idc-1": { bound: 2, unschedulable: 0, oldestUnschedulableMs: 0 },
      "cloud-1": { bound: 4, unschedulable: 0, oldestUnschedulableMs: 0 },
    };
    // idc-1 has room for 2 more (4 per node, 2 used by this workload but the snapshot shows free room).
    fleet[0]!.nodes[0]!.free = { cpu: 8000, memory: 64 * 2 ** 30 };
    const first = place(w, fleet, prev, landed, 1_000);
    expect(split(first)).toEqual(prev.replicas);
    expect(first.failbackSinceMs).toBe(1_000);
    const early = place(w, fleet, { ...prev, failbackSinceMs: 1_000 }, landed, 60_000);
    expect(split(early)).toEqual(prev.replicas);
    const due = place(w, fleet, { ...prev, failbackSinceMs: 1_000 }, landed, 200_000);
    expect(split(due)).toEqual({ "idc-1": 4, "cloud-1": 2 });
    const notLanded = place(
      w,
      fleet,
      { ...prev, failbackSinceMs: 1_000 },
      { ...landed, "idc-1": { bound: 1, unschedulable: 0, oldestUnschedulableMs: 0 } },
      200_000,
    );
    expect(split(notLanded)).toEqual(prev.replicas);
  });

  describe("while the workload rolls out", () => {
    // The demo's full IDC: 40 × 4 CPU placed 16/16/8, both IDC members without a free CPU.
    const fullIdc = () => {
      const fleet = testbedFleet();
      for (const c of fleet.filter((x) => x.tier === "idc")) for (const n of c.nodes) n.free = { cpu: 0, memory: 64 * 2 ** 30 };
      // cloud-1 runs its 8 and more of other workloads: room for 14 pods of 4 CPU on its last 4 nodes.
      fleet
        .find((c) => c.name === "cloud-1")!
        .nodes.forEach((n, i) => (n.free = { cpu: i < 4 ? 0 : i < 7 ? 16000 : 8000, memory: 64 * 2 ** 30 }));
      return fleet;
    };
    const placed = { replicas: { "idc-1": 16, "idc-2": 16, "cloud-1": 8 } };
    const bound = (counts: Record<string, number>) =>
      Object.fromEntries(Object.entries(counts).map(([c, n]) => [c, { bound: n, unschedulable: 0, oldestUnschedulableMs: 0 }]));
    const stalled = (cluster: string, replicas: number, placedReplicas: number) => ({ cluster, replicas, placedReplicas });

    it("publishes the room for surge pods in every eligible member, capped at one surge step, and what is short where none fits", () => {
      const w = workload("shop/web", 40, 4000, { failbackStep: 10, rollout: { stalled: [], withOldPods: [] } });
      const d = place(w, fullIdc(), placed, bound(placed.replicas));
      expect(split(d)).toEqual(placed.replicas);
      expect(d.room).toEqual([
        { name: "idc-1", pods: 0, short: "needs 4 cpu per replica; largest free node has 0" },
        { name: "idc-2", pods: 0, short: "needs 4 cpu per replica; largest free node has 0" },
        { name: "cloud-1", pods: 10 },
      ]);
      expect(place({ ...w, failbackStep: 20 }, fullIdc(), placed, bound(placed.replicas)).room![2]).toEqual({ name: "cloud-1", pods: 14 });
      expect(place({ ...w, rollout: undefined }, fullIdc(), placed, bound(placed.replicas)).room).toBeUndefined();
    });

    it("lends a stalled member's replicas to the best-ranked member with room, one surge step at a time", () => {
      const w = workload("shop/web", 40, 4000, {
        failbackStep: 6,
        rollout: { stalled: [stalled("idc-1", 16, 16), stalled("idc-2", 16, 16)], withOldPods: [] },
      });
      const d = place(w, fullIdc(), placed, bound(placed.replicas));
      expect(split(d)).toEqual({ "idc-1": 10, "idc-2": 16, "cloud-1": 14 });
      expect(d.clusters.find((c) => c.name === "idc-1")!.reason).toMatch(/lent 6 for the rollout: no room here for a surge pod/);
      expect(d.clusters.find((c) => c.name === "cloud-1")!.reason).toMatch(/\+6 lent by idc-1 for the rollout/);
    });

    it("never lends twice on one report, nor before the last loan has landed, nor from a member that has room by now", () => {
      const w = workload("shop/web", 40, 4000, { failbackStep: 6, rollout: { stalled: [stalled("idc-1", 16, 16)], withOldPods: [] } });
      const after = { replicas: { "idc-1": 10, "idc-2": 16, "cloud-1": 14 } };
      // The report still says 16 placed in idc-1: it was judged before the loan.
      expect(split(place(w, fullIdc(), after, bound({ "idc-1": 16, "idc-2": 16, "cloud-1": 14 })))).toEqual(after.replicas);
      // A fresh report, but cloud-1's six new pods are not bound yet.
      const fresh = { ...w, rollout: { stalled: [stalled("idc-1", 10, 10)], withOldPods: [] } };
      expect(split(place(fresh, fullIdc(), after, bound({ "idc-1": 16, "idc-2": 16, "cloud-1": 8 })))).toEqual(after.replicas);
      // Landed, but idc-1's six are still leaving: the snapshot holds 16 of its 10.
      expect(split(place(fresh, fullIdc(), after, bound({ "idc-1": 16, "idc-2": 16, "cloud-1": 14 })))).toEqual(after.replicas);
      // Landed, and idc-1 has given up its six: room there now, so the report is out of date.
      const shrunk = fullIdc();
      shrunk[0]!.nodes[0]!.free = { cpu: 16000, memory: 64 * 2 ** 30 };
      shrunk[0]!.nodes[1]!.free = { cpu: 8000, memory: 64 * 2 ** 30 };
      expect(split(place(fresh, shrunk, after, bound({ "idc-1": 10, "idc-2": 16, "cloud-1": 14 })))).toEqual(after.replicas);
    });

    it("never opens a member beyond maxClusters for a loan", () => {
      // maxClusters 2, both used; cloud-1 has room for only 2 of the 4 idc-1 would lend.
      const fleet = fullIdc();
      fleet.find((c) => c.name === "cloud-1")!.nodes.forEach((n, i) => (n.free = { cpu: i === 0 ? 8000 : 0, memory: 64 * 2 ** 30 }));
      const prev = { replicas: { "idc-1": 4, "idc-2": 16 } };
      const w = workload("shop/web", 20, 4000, {
        failbackStep: 4,
        placement: { maxClusters: 2 },
        rollout: { stalled: [stalled("idc-1", 4, 4)], withOldPods: ["idc-1", "idc-2"] },
      });
      expect(split(place(w, fleet, prev, bound(prev.replicas)))).toEqual(prev.replicas);
    });

    it("lends only to members on the new template: one still holding old pods would grow old pods", () => {
      // idc-1 gave replicas up and has room now, but still runs old pods; idc-2 is stalled.
      const fleet = fullIdc();
      fleet[0]!.nodes[0]!.free = { cpu: 16000, memory: 64 * 2 ** 30 };
      const prev = { replicas: { "idc-1": 12, "idc-2": 16, "cloud-1": 12 } };
      const w = workload("shop/web", 40, 4000, {
        failbackStep: 4,
        rollout: { stalled: [stalled("idc-2", 4, 16)], withOldPods: ["idc-1", "idc-2"] },
      });
      expect(split(place(w, fleet, prev, bound(prev.replicas)))).toEqual({ "idc-1": 12, "idc-2": 12, "cloud-1": 16 });
      // Once idc-1 runs the new template only, it is the best-ranked member with room.
      const done = { ...w, rollout: { ...w.rollout!, withOldPods: ["idc-2"] } };
      expect(split(place(done, fleet, prev, bound(prev.replicas)))).toEqual({ "idc-1": 16, "idc-2": 12, "cloud-1": 12 });
    });

    it("lends only where the workload may go and room is seen, and says nothing moved when the fleet is full", () => {
      const fleet = fullIdc();
      fleet.find((c) => c.name === "cloud-1")!.nodes.forEach((n) => (n.free = { cpu: 0, memory: 64 * 2 ** 30 }));
      const w = workload("shop/web", 40, 4000, { failbackStep: 10, rollout: { stalled: [stalled("idc-1", 16, 16)], withOldPods: [] } });
      const d = place(w, fleet, placed, bound(placed.replicas));
      expect(split(d)).toEqual(placed.replicas);
      expect(d.room!.every((r) => r.pods === 0 && r.short === "needs 4 cpu per replica; largest free node has 0")).toBe(true);
      const idcOnly = place(
        { ...w, placement: { clusterNames: ["idc-1", "idc-2"] } },
        fullIdc(),
        { replicas: { "idc-1": 16, "idc-2": 16 } },
        bound(placed.replicas),
      );
      expect(split(idcOnly)).toEqual({ "idc-1": 16, "idc-2": 16 });
      expect(idcOnly.room!.map((r) => r.name)).toEqual(["idc-1", "idc-2"]);
    });

    it("holds failback until the rollout is over, then brings the loan home", () => {
      // idc-1 runs 10 of its 16 again: room for the 6 it lent.
      const fleet = fullIdc();
      fleet[0]!.nodes[0]!.free = { cpu: 16000, memory: 64 * 2 ** 30 };
      fleet[0]!.nodes[1]!.free = { cpu: 8000, memory: 64 * 2 ** 30 };
      const lent = { replicas: { "idc-1": 10, "idc-2": 16, "cloud-1": 14 }, failbackSinceMs: 0 };
      const w = workload("shop/web", 40, 4000, { failbackStep: 10 });
      const rolling = place({ ...w, rollout: { stalled: [], withOldPods: [] } }, fleet, lent, bound(lent.replicas), 10_000_000);
      expect(split(rolling)).toEqual(lent.replicas);
      // The hold-down is not restarted by a rollout (nor by a member that looks like one for a moment).
      expect(rolling.failbackSinceMs).toBe(0);
      expect(split(place(w, fleet, lent, bound(lent.replicas), 10_000_000))).toEqual({ "idc-1": 16, "idc-2": 16, "cloud-1": 8 });
    });
  });

  it("honours per-cluster bounds, maxClusters, tier order and cluster taints", () => {
    expect(split(place(workload("w", 10, 1000, { placement: { bounds: { "idc-1": { max: 3 } } } }), testbedFleet()))).toEqual({
      "idc-1": 3,
      "idc-2": 7,
    });
    expect(split(place(workload("w", 4, 1000, { placement: { bounds: { "cloud-1": { min: 2 } } } }), testbedFleet()))).toEqual({
      "idc-1": 2,
      "cloud-1": 2,
    });
    expect(split(place(workload("w", 40, 4000, { placement: { maxClusters: 1 } }), testbedFleet()))).toEqual({ "idc-1": 16 });
    expect(split(place(workload("w", 4, 1000, { placement: { tierOrder: ["cloud", "idc"] } }), testbedFleet()))).toEqual({ "cloud-1": 4 });
    const cordoned = testbedFleet().map((c) =>
      c.name === "idc-1" ? { ...c, taints: [{ key: "maintenance", value: "", effect: "NoSchedule" }] } : c,
    );
    expect(split(place(workload("w", 4, 1000), cordoned))).toEqual({ "idc-2": 4 });
  });

  it("orders the members once per tier order in a pass: workloads with and without an override share one fleet", () => {
    const ctx = ctxOf(testbedFleet());
    const ledgers = newLedgers(ctx);
    const order = (w: WorkloadRequest) => decide(w, {}, undefined, ledgers, ctx).clusters.map((c) => c.name);
    expect(order(workload("a", 1, 1000))).toEqual(["idc-1"]);
    expect(order(workload("b", 1, 1000, { placement: { tierOrder: ["cloud", "idc"] } }))).toEqual(["cloud-1"]);
    expect(order(workload("c", 1, 1000))).toEqual(["idc-1"]);
    expect(order(workload("d", 1, 1000, { placement: { tierOrder: ["cloud", "idc"] } }))).toEqual(["cloud-1"]);
  });
});

// ---- properties ----

const arbFleet = fc
  .array(
    fc.record({
      tier: fc.constantFrom("idc" as const, "cloud" as const),
      priority: fc.integer({ min: 0, max: 5 }),
      nodes: fc.array(fc.record({ cpu: fc.integer({ min: 0, max: 32 }).map((c) => c * 1000), gpu: fc.integer({ min: 0, max: 8 }) }), {
        minLength: 0,
        maxLength: 4,
      }),
      ready: fc.boolean(),
    }),
    { minLength: 1, maxLength: 5 },
  )
  .map((cs) => cs.map((c, i) => cluster(`c${i}`, c.tier, c.priority, c.nodes, { ready: c.ready, notReadyForMs: c.ready ? 0 : 5000 })));

const arbWorkload = fc
  .record({
    replicas: fc.integer({ min: 0, max: 60 }),
    cpu: fc.integer({ min: 1, max: 8 }).map((c) => c * 1000),
    gpu: fc.integer({ min: 0, max: 4 }),
    step: fc.integer({ min: 1, max: 4 }),
  })
  .map((x) =>
    workload("w", x.replicas, x.cpu, {
      perReplica: x.gpu ? { cpu: x.cpu, "nvidia.com/gpu": x.gpu } : { cpu: x.cpu },
      failbackStep: x.step,
    }),
  );

const arbPrevious = (names: string[]) =>
  fc.option(fc.record({ replicas: fc.dictionary(fc.constantFrom(...names), fc.integer({ min: 0, max: 20 })) }), { nil: undefined });

const tierRank = (c: ClusterView) => (c.tier === "idc" ? 0 : 1);

describe("decide (properties)", () => {
  it("accounts for every replica: placed + unschedulable = desired", () => {
    fc.assert(
      fc.property(arbFleet, arbWorkload, (fleet, w) => {
        const d = place(w, fleet);
        expect(d.clusters.reduce((s, c) => s + c.replicas, 0) + d.unschedulable).toBe(w.replicas);
        expect(d.clusters.every((c) => c.replicas > 0)).toBe(true);
      }),
    );
  });

  it("gives no member more new replicas than its simulation holds, and leaves none unplaced while room exists", () => {
    fc.assert(
      fc.property(arbFleet, arbWorkload, (fleet, w) => {
        const ctx = ctxOf(fleet);
        const before = newLedgers(ctx);
        const d = decide(w, {}, undefined, newLedgers(ctx), ctx);
        for (const c of d.clusters) expect(c.replicas).toBeLessThanOrEqual(before.get(c.name)!.fits(w));
        if (d.unschedulable > 0) {
          const after = newLedgers(ctx);
          for (const c of d.clusters) after.get(c.name)!.take(w, c.replicas);
          for (const c of fleet.filter((c) => c.ready)) expect(after.get(c.name)!.fits(w)).toBe(0);
        }
      }),
    );
  });

  it("gives a lower tier replicas only when every eligible higher-tier member is full", () => {
    fc.assert(
      fc.property(arbFleet, arbWorkload, (fleet, w) => {
        const ctx = ctxOf(fleet);
        const d = decide(w, {}, undefined, newLedgers(ctx), ctx);
        const after = newLedgers(ctx);
        for (const c of d.clusters) after.get(c.name)!.take(w, c.replicas);
        const usedCloud = d.clusters.some((c) => fleet.find((f) => f.name === c.name)!.tier === "cloud");
        if (usedCloud) for (const c of fleet.filter((c) => c.ready && tierRank(c) === 0)) expect(after.get(c.name)!.fits(w)).toBe(0);
      }),
    );
  });

  it("scales down from the lowest tier first", () => {
    fc.assert(
      fc.property(
        arbFleet.chain((fleet) => fc.tuple(fc.constant(fleet), arbWorkload, arbPrevious(fleet.map((c) => c.name)))),
        ([fleet, w, prev]) => {
          const all = fleet.map((c) => ({ ...c, ready: true, notReadyForMs: 0 }));
          const d = place(w, all, prev);
          const before = prev?.replicas ?? {};
          const total = Object.values(before).reduce((s, n) => s + n, 0);
          if (total <= w.replicas) return;
          const after = Object.fromEntries(d.clusters.map((c) => [c.name, c.replicas]));
          const lostIdc = all.filter((c) => c.tier === "idc").some((c) => (after[c.name] ?? 0) < (before[c.name] ?? 0));
          if (lostIdc) for (const c of all.filter((c) => c.tier === "cloud")) expect(after[c.name] ?? 0).toBe(0);
        },
      ),
    );
  });

  it("is deterministic: the same input gives the same decision", () => {
    fc.assert(
      fc.property(
        arbFleet.chain((fleet) => fc.tuple(fc.constant(fleet), arbWorkload, arbPrevious(fleet.map((c) => c.name)))),
        ([fleet, w, prev]) => {
          expect(place(w, fleet, prev)).toEqual(place(w, structuredClone(fleet), structuredClone(prev)));
        },
      ),
    );
  });

  it("never moves more than failbackStep replicas in one failback step", () => {
    fc.assert(
      fc.property(
        arbFleet.chain((fleet) => fc.tuple(fc.constant(fleet), arbWorkload, arbPrevious(fleet.map((c) => c.name)))),
        ([fleet, w0, prev]) => {
          const all = fleet.map((c) => ({ ...c, ready: true, notReadyForMs: 0 }));
          const before = prev?.replicas ?? {};
          const w = { ...w0, replicas: Object.values(before).reduce((s, n) => s + n, 0) };
          const landed = Object.fromEntries(
            Object.entries(before).map(([k, n]) => [k, { bound: n, unschedulable: 0, oldestUnschedulableMs: 0 }]),
          );
          const d = place(w, all, prev && { ...prev, failbackSinceMs: 0 }, landed, 10_000_000);
          const after = Object.fromEntries(d.clusters.map((c) => [c.name, c.replicas]));
          const moved = Object.keys(before).reduce((s, k) => s + Math.max(0, (before[k] ?? 0) - (after[k] ?? 0)), 0);
          expect(moved).toBeLessThanOrEqual(w.failbackStep);
        },
      ),
    );
  });
});
