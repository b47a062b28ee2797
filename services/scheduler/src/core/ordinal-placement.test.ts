import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { newLedgers, type PassContext } from "./decide.ts";
import { cluster, nodes16, testbedFleet, testConfig, workload } from "./testing/fixtures.ts";
import { decideOrdinals, rangesOf, type OrdinalRange, type OrdinalRequest } from "./ordinal-placement.ts";
import type { ClusterView, Decision, Observed, WorkloadRequest } from "./types.ts";

const NOW = 1_000_000;
const ctxOf = (clusters: ClusterView[], nowMs = NOW): PassContext => ({ clusters, inflight: [], nowMs, config: testConfig });
const run = (
  w: WorkloadRequest,
  clusters: ClusterView[],
  o: Partial<OrdinalRequest> = {},
  observed: Record<string, Observed> = {},
  nowMs = NOW,
) => {
  const ctx = ctxOf(clusters, nowMs);
  return decideOrdinals(w, { base: 0, previous: [], rolling: false, ...o }, observed, newLedgers(ctx), ctx);
};
const ranges = (d: Decision) => rangesOf(d.clusters).map((r) => `${r.cluster}:${r.start}+${r.count}`);
const bound = (rs: OrdinalRange[]) =>
  Object.fromEntries(rs.map((r) => [r.cluster, { bound: r.count, unschedulable: 0, oldestUnschedulableMs: 0 }]));
/** Every member's nodes minus what the workload's own ranges already hold there (a snapshot does the same). */
const occupied = (fleet: ClusterView[], rs: OrdinalRange[], cpu: number) =>
  fleet.map((c) => {
    let held = (rs.find((r) => r.cluster === c.name)?.count ?? 0) * cpu;
    return {
      ...c,
      nodes: c.nodes.map((n) => {
        const use = Math.min(held, Math.floor((n.free["cpu"] ?? 0) / cpu) * cpu);
        held -= use;
        return { ...n, free: { ...n.free, cpu: (n.free["cpu"] ?? 0) - use } };
      }),
    };
  });

describe("decideOrdinals", () => {
  it("gives the lowest ordinals to IDC in priority order and the top ones to cloud (20 × 8 CPU over 128 IDC CPU)", () => {
    const d = run(workload("data/db", 20, 8000), testbedFleet());
    expect(ranges(d)).toEqual(["idc-1:0+8", "idc-2:8+8", "cloud-1:16+4"]);
    expect(d.unschedulable).toBe(0);
    expect(d.clusters.map((c) => c.reason)[2]).toMatch(/ordinals 16-19/);
  });

  it("shifts the whole fleet's numbering with ordinals.start", () => {
    expect(ranges(run(workload("data/db", 20, 8000), testbedFleet(), { base: 100 }))).toEqual([
      "idc-1:100+8",
      "idc-2:108+8",
      "cloud-1:116+4",
    ]);
  });

  it("scales down from the top (cloud first) and up again at the top, keeping every kept ordinal where it was", () => {
    const fleet = testbedFleet();
    const first = rangesOf(run(workload("data/db", 20, 8000), fleet).clusters);
    const down = run(workload("data/db", 14, 8000), occupied(fleet, first, 8000), { previous: first });
    expect(ranges(down)).toEqual(["idc-1:0+8", "idc-2:8+6"]);
    const downRanges = rangesOf(down.clusters);
    const up = run(workload("data/db", 20, 8000), occupied(fleet, downRanges, 8000), { previous: downRanges });
    expect(ranges(up)).toEqual(["idc-1:0+8", "idc-2:8+8", "cloud-1:16+4"]);
  });

  it("opens a new range in the best-ranked member that fits when the top range's member is full", () => {
    const fleet = [
      cluster("idc-1", "idc", 10, nodes16(1)),
      cluster("cloud-1", "cloud", 100, nodes16(1)),
      cluster("idc-2", "idc", 20, nodes16(1)),
    ];
    // cloud-1 holds the top and is full; idc-2 (better ranked) opens the next range above it.
    const previous = [
      { cluster: "idc-1", start: 0, count: 2 },
      { cluster: "cloud-1", start: 2, count: 2 },
    ];
    const d = run(workload("data/db", 6, 8000), occupied(fleet, previous, 8000), { previous });
    expect(ranges(d)).toEqual(["idc-1:0+2", "cloud-1:2+2", "idc-2:4+2"]);
  });

  it("reports what is short for ordinals that fit nowhere, placing none of them", () => {
    const d = run(workload("data/db", 3, 20000), testbedFleet());
    expect(d.clusters).toEqual([]);
    expect(d.unschedulable).toBe(3);
    expect(d.message).toMatch(/3 of 3 replica\(s\) fit nowhere: needs 20 cpu per replica; largest free node has 16/);
  });

  it("keeps the ordinals of a member that is not Ready (it may still run them); a fenced member's move", () => {
    const fleet = testbedFleet();
    const previous = [
      { cluster: "idc-1", start: 0, count: 4 },
      { cluster: "idc-2", start: 4, count: 4 },
    ];
    const down = fleet.map((c) => (c.name === "idc-2" ? { ...c, ready: false, notReadyForMs: 10 * 60_000 } : c));
    expect(ranges(run(workload("data/db", 8, 8000), occupied(down, previous, 8000), { previous }))).toEqual(["idc-1:0+4", "idc-2:4+4"]);
    const fenced = down.map((c) => (c.name === "idc-2" ? { ...c, fenced: true } : c));
    const d = run(workload("data/db", 8, 8000), occupied(fenced, previous, 8000), { previous });
    expect(ranges(d)).toEqual(["idc-1:0+8"]);
    expect(d.clusters[0]!.reason).toMatch(/\+4 ordinal\(s\) at the top/);
  });

  it("fills a released middle range from the range below, then a member without one, then the range above", () => {
    const fleet = [
      cluster("idc-1", "idc", 10, nodes16(1)),
      cluster("idc-2", "idc", 20, nodes16(2)),
      cluster("cloud-1", "cloud", 100, nodes16(2)),
      cluster("cloud-2", "cloud", 200, nodes16(1)),
    ];
    const previous = [
      { cluster: "idc-1", start: 0, count: 2 },
      { cluster: "idc-2", start: 2, count: 4 },
      { cluster: "cloud-1", start: 6, count: 1 },
    ];
    const gone = occupied(fleet, previous, 8000).filter((c) => c.name !== "idc-2");
    // idc-1 is full, cloud-2 (no range) takes 2, cloud-1 grows down by 2: no gap, nothing else moves.
    const d = run(workload("data/db", 7, 8000), gone, { previous });
    expect(ranges(d)).toEqual(["idc-1:0+2", "cloud-2:2+2", "cloud-1:4+3"]);
  });

  it("fails back one ordinal at a time across a boundary, after the hold-down and once the last move landed", () => {
    const fleet = testbedFleet();
    const previous = [
      { cluster: "idc-1", start: 0, count: 6 },
      { cluster: "idc-2", start: 6, count: 8 },
      { cluster: "cloud-1", start: 14, count: 6 },
    ];
    const view = occupied(fleet, previous, 8000);
    const early = run(workload("data/db", 20, 8000), view, { previous }, bound(previous));
    expect(ranges(early)).toEqual(["idc-1:0+6", "idc-2:6+8", "cloud-1:14+6"]);
    expect(early.failbackSinceMs).toBe(NOW);
    const later = NOW + testConfig.failbackHoldDownMs;
    // idc-2 is full; idc-1 has room: idc-2's bottom ordinal moves down first, opening room for cloud-1's.
    const step = run(workload("data/db", 20, 8000), view, { previous, failbackSinceMs: NOW }, bound(previous), later);
    expect(ranges(step)).toEqual(["idc-1:0+7", "idc-2:7+7", "cloud-1:14+6"]);
    expect(step.clusters[0]!.reason).toMatch(/failback: ordinal 6 from idc-2/);
    const stepped = rangesOf(step.clusters);
    const notLanded = run(
      workload("data/db", 20, 8000),
      occupied(fleet, stepped, 8000),
      { previous: stepped, failbackSinceMs: NOW },
      bound(previous),
      later,
    );
    expect(ranges(notLanded)).toEqual(ranges(step));
    const next = run(
      workload("data/db", 20, 8000),
      occupied(fleet, stepped, 8000),
      { previous: stepped, failbackSinceMs: NOW },
      bound(stepped),
      later,
    );
    expect(ranges(next)).toEqual(["idc-1:0+7", "idc-2:7+8", "cloud-1:15+5"]);
  });

  it("moves nothing during a rollout", () => {
    const previous = [
      { cluster: "idc-1", start: 0, count: 2 },
      { cluster: "cloud-1", start: 2, count: 2 },
    ];
    const d = run(
      workload("data/db", 4, 8000),
      occupied(testbedFleet(), previous, 8000),
      { previous, rolling: true, failbackSinceMs: 0 },
      bound(previous),
    );
    expect(ranges(d)).toEqual(["idc-1:0+2", "cloud-1:2+2"]);
  });

  it("takes pinned ranges as given and names a range in an unknown cluster", () => {
    const pinned = [
      { cluster: "cloud-1", start: 0, count: 3 },
      { cluster: "idc-9", start: 3, count: 2 },
    ];
    const d = run(workload("data/db", 5, 1000), testbedFleet(), { pinned });
    expect(ranges(d)).toEqual(["cloud-1:0+3"]);
    expect(d.unschedulable).toBe(2);
    expect(d.message).toMatch(/spec.ordinalRanges names idc-9 \(ordinals 3-4\), not a member cluster/);
  });

  it("property: ranges are disjoint, one per member, inside [base, base+replicas), keep every kept ordinal in place, and cover it all when nothing is unschedulable", () => {
    const member = fc.record({
      tier: fc.constantFrom("idc" as const, "cloud" as const),
      priority: fc.integer({ min: 0, max: 5 }),
      nodes: fc.integer({ min: 0, max: 4 }),
      ready: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(member, { minLength: 1, maxLength: 5 }),
        fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 0, max: 3 }),
        (members, sizes, base, gone) => {
          const fleet = members.map((m, i) => cluster(`m-${i}`, m.tier, m.priority, nodes16(m.nodes), { ready: m.ready }));
          let previous: OrdinalRange[] = [];
          let now = NOW;
          for (const replicas of sizes) {
            const view = occupied(fleet, previous, 4000).filter((_, i) => i !== gone);
            now += testConfig.failbackHoldDownMs;
            const d = run(workload("p/db", replicas, 4000), view, { base, previous, failbackSinceMs: NOW }, bound(previous), now);
            const next = rangesOf(d.clusters);
            const owner = new Map<number, string>();
            for (const r of next) {
              expect(r.count).toBeGreaterThan(0);
              for (let k = r.start; k < r.start + r.count; k++) {
                expect(owner.has(k)).toBe(false);
                owner.set(k, r.cluster);
              }
            }
            expect(new Set(next.map((r) => r.cluster)).size).toBe(next.length);
            for (const k of owner.keys()) expect(k >= base && k < base + replicas).toBe(true);
            expect(owner.size).toBe(replicas - d.unschedulable);
            if (d.unschedulable === 0) for (let k = base; k < base + replicas; k++) expect(owner.has(k)).toBe(true);
            // An ordinal stays in its member, unless its member is gone or one failback step moved it.
            let moved = 0;
            for (const r of previous)
              for (let k = r.start; k < r.start + r.count; k++)
                if (owner.has(k) && owner.get(k) !== r.cluster && r.cluster !== `m-${gone}`) moved++;
            expect(moved).toBeLessThanOrEqual(1);
            previous = next;
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
