import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { CapacityLedger } from "./capacity-ledger.ts";
import { cluster, nodes16, workload } from "./testing/fixtures.ts";

describe("CapacityLedger", () => {
  it("takes room first-fit and never offers it twice", () => {
    const ledger = new CapacityLedger(cluster("idc-1", "idc", 1, nodes16(2)));
    const w = workload("a", 10, 6000);
    expect(ledger.fits(w)).toBe(4); // 2 per 16-CPU node
    expect(ledger.take(w, 3)).toBe(3);
    expect(ledger.fits(w)).toBe(1);
    expect(ledger.take(w, 5)).toBe(1);
    expect(ledger.fits(w)).toBe(0);
    // Smaller replicas still use the leftovers (4 CPU on each node).
    expect(ledger.fits(workload("b", 10, 4000))).toBe(2);
  });

  it("honours node eligibility and extended resources", () => {
    const ledger = new CapacityLedger(cluster("idc-1", "idc", 1, nodes16(4, { index: 3, gpu: 8 })));
    const gpu = workload("g", 10, 1000, { perReplica: { cpu: 1000, "nvidia.com/gpu": 2 } });
    expect(ledger.fits(gpu)).toBe(4);
    expect(ledger.fits(workload("z", 1, 1000, { nodeSelector: { zone: "nowhere" } }))).toBe(0);
  });

  it("finds GPU room first-fit among the nodes that have GPUs, however many have CPU to spare", () => {
    const ledger = new CapacityLedger(cluster("idc-1", "idc", 1, nodes16(6, { index: 4, gpu: 8 })));
    const gpu = workload("g", 10, 1000, { perReplica: { cpu: 1000, "nvidia.com/gpu": 3 } });
    expect(ledger.take(gpu, 5)).toBe(2); // 8 GPUs hold two replicas of 3
    expect(ledger.fits(gpu)).toBe(0);
    expect(ledger.fits(workload("c", 10, 16_000))).toBe(5); // every other node still whole
    expect(ledger.largestFree(gpu).largest).toEqual({ cpu: 16_000, "nvidia.com/gpu": 2 });
  });

  it("reports the largest free amounts on an eligible node, for the 'what is short' message", () => {
    const ledger = new CapacityLedger(cluster("idc-1", "idc", 1, nodes16(2)));
    ledger.take(workload("a", 1, 10_000), 1);
    expect(ledger.largestFree(workload("b", 1, 20_000))).toEqual({ eligibleNodes: 2, largest: { cpu: 16_000 } });
  });

  it("agrees with a node-by-node count whatever is taken (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1000, max: 16_000 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.tuple(fc.integer({ min: 500, max: 9000 }), fc.integer({ min: 0, max: 20 })), { maxLength: 8 }),
        (cpus, takes) => {
          const c = cluster(
            "m",
            "idc",
            1,
            cpus.map((cpu) => ({ cpu })),
          );
          const ledger = new CapacityLedger(c);
          const free = cpus.slice();
          for (const [per, count] of takes) {
            const w = workload("w", count, per);
            const expectFit = free.reduce((s, f) => s + Math.floor(f / per), 0);
            expect(ledger.fits(w)).toBe(expectFit);
            const got = ledger.take(w, count);
            expect(got).toBe(Math.min(count, expectFit));
            // First fit: fill nodes in order.
            let left = got;
            for (let i = 0; i < free.length && left > 0; i++) {
              const n = Math.min(left, Math.floor(free[i]! / per));
              free[i]! -= n * per;
              left -= n;
            }
          }
        },
      ),
    );
  });

  it("answers every request as a node-by-node first fit does, over CPU, memory, GPUs, labels and taints (property)", () => {
    // Requests of different sizes and constraints in any order: what a miss remembers must never
    // refuse a request that some node could hold.
    const GiB = 2 ** 30;
    const node = fc.record({
      cpu: fc.integer({ min: 0, max: 16 }).map((c) => c * 1000),
      memory: fc.integer({ min: 0, max: 8 }).map((m) => m * GiB),
      gpu: fc.constantFrom(0, 0, 4, 8),
      pods: fc.integer({ min: 0, max: 6 }),
      zone: fc.constantFrom("a", "b"),
      tainted: fc.boolean(),
    });
    const request = fc.record({
      cpu: fc.integer({ min: 0, max: 8 }).map((c) => c * 500),
      memory: fc.integer({ min: 0, max: 4 }).map((m) => m * GiB),
      gpu: fc.constantFrom(0, 0, 1, 3),
      zone: fc.constantFrom(undefined, "a", "b"),
      tolerates: fc.boolean(),
      count: fc.integer({ min: 0, max: 12 }),
      onlyAsk: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(node, { minLength: 1, maxLength: 8 }), fc.array(request, { maxLength: 30 }), (nodes, requests) => {
        const c = cluster("m", "idc", 1, []);
        c.nodes = nodes.map((n, i) => ({
          name: `n${i}`,
          labels: { zone: n.zone },
          taints: n.tainted ? [{ key: "gpu", value: "", effect: "NoSchedule" }] : [],
          free: { cpu: n.cpu, memory: n.memory, ...(n.gpu ? { "nvidia.com/gpu": n.gpu } : {}) },
          freePods: n.pods,
        }));
        const ledger = new CapacityLedger(c);
        const free = c.nodes.map((n) => ({ ...n.free, pods: n.freePods }));
        for (const r of requests) {
          const per = { cpu: r.cpu, memory: r.memory, ...(r.gpu ? { "nvidia.com/gpu": r.gpu } : {}) };
          const w = workload("w", r.count, r.cpu, {
            perReplica: per,
            nodeSelector: r.zone ? { zone: r.zone } : {},
            tolerations: r.tolerates ? [{ key: "gpu", operator: "Exists" }] : [],
          });
          const fitsOn = (i: number) => {
            if ((r.zone && nodes[i]!.zone !== r.zone) || (nodes[i]!.tainted && !r.tolerates)) return 0;
            let n = free[i]!.pods;
            for (const [k, need] of Object.entries(per))
              if (need > 0) n = Math.min(n, Math.floor(((free[i] as Record<string, number>)[k] ?? 0) / need));
            return Math.max(0, n);
          };
          const expectFit = free.reduce((s, _, i) => s + fitsOn(i), 0);
          expect(ledger.fits(w)).toBe(expectFit);
          if (r.onlyAsk) continue;
          expect(ledger.take(w, r.count)).toBe(Math.min(r.count, expectFit));
          let left = Math.min(r.count, expectFit);
          for (let i = 0; i < free.length && left > 0; i++) {
            const n = Math.min(left, fitsOn(i));
            for (const [k, need] of Object.entries(per))
              (free[i] as Record<string, number>)[k] = ((free[i] as Record<string, number>)[k] ?? 0) - n * need;
            free[i]!.pods -= n;
            left -= n;
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
