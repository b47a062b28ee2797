import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import {
  averageOfValueReplicas,
  averageValueReplicas,
  DEFAULT_TOLERANCES,
  resourceUtilizationReplicas,
  valueReplicas,
  type PodInfo,
  type PodMetric,
} from "./replica-calculator.ts";

const NOW = Date.parse("2026-11-27T12:00:00Z");
const COOL = NOW - 3_600_000; // started an hour ago: past the CPU initialization period
const HOT = NOW - 10_000; // started 10 s ago: within it

/**
 * The fixtures of Kubernetes' own replica-calculator tests: pods of 2 containers each requesting
 * `request` CPU (so a pod requests 2 × request), every container using `level`; a Ready
 * condition without a transition time; metrics with no timestamp (the zero time) and a 1-minute window.
 */
function fleet(o: {
  levels: number[];
  count?: number;
  request?: number;
  ready?: boolean[];
  phase?: PodInfo["phase"][];
  deleting?: boolean[];
  start?: number[];
}) {
  const count = o.count ?? Math.max(o.levels.length, o.ready?.length ?? 0, o.phase?.length ?? 0);
  const pods: PodInfo[] = Array.from({ length: count }, (_, i) => ({
    name: `pod-${i}`,
    phase: o.phase?.[i] ?? "Running",
    deleting: o.deleting?.[i] ?? false,
    ready: { status: o.ready?.[i] ?? true },
    startMs: o.start?.[i] ?? COOL,
    request: 2 * (o.request ?? 1000),
  }));
  const metrics = new Map<string, PodMetric>(o.levels.map((l, i) => [`pod-${i}`, { value: 2 * l, timestampMs: 0, windowMs: 60_000 }]));
  return { pods, metrics };
}
const cpu = (currentReplicas: number, targetUtilization: number, f: ReturnType<typeof fleet>) =>
  resourceUtilizationReplicas({ currentReplicas, targetUtilization, ...f, cpu: true, tolerances: DEFAULT_TOLERANCES, nowMs: NOW });

describe("resource utilization, Kubernetes' replica-calculator cases", () => {
  it.each<[string, number, number, Parameters<typeof fleet>[0], number, number]>([
    // name, current, target %, fleet, expected replicas, expected utilization %
    ["scale up", 3, 30, { levels: [300, 500, 700] }, 5, 50],
    ["scale up: unready pods count 0 (less scale)", 3, 30, { levels: [300, 500, 700], ready: [false, true, true] }, 4, 60],
    ["scale up: hot-CPU pods count 0 (less scale)", 3, 30, { levels: [300, 500, 700], start: [HOT, COOL, COOL] }, 4, 60],
    ["no scale: unready pods would flip the direction", 3, 30, { levels: [400, 500, 700], ready: [true, false, false] }, 3, 40],
    ["no scale: hot-CPU unready pods", 3, 30, { levels: [400, 500, 700], ready: [true, false, false], start: [COOL, HOT, HOT] }, 3, 40],
    [
      "scale up: failed pods ignored",
      2,
      30,
      { levels: [500, 700], ready: [true, true, false, false], phase: ["Running", "Running", "Failed", "Failed"] },
      4,
      60,
    ],
    [
      "scale up: pods being deleted ignored",
      2,
      30,
      { levels: [500, 700], ready: [true, true, false, false], deleting: [false, false, true, true] },
      4,
      60,
    ],
    ["scale down", 5, 50, { levels: [100, 300, 500, 250, 250] }, 3, 28],
    ["scale down: unready pods excluded", 5, 50, { levels: [100, 300, 500, 250, 250], ready: [true, true, true, false, false] }, 2, 30],
    [
      "scale down: unscheduled pods excluded",
      5,
      50,
      {
        levels: [100],
        count: 5,
        ready: [true, false, false, false, false],
        phase: ["Running", "Pending", "Pending", "Pending", "Pending"],
      },
      1,
      10,
    ],
    ["scale down: hot-CPU pods ignored", 5, 50, { levels: [100, 300, 500, 250, 250], start: [COOL, COOL, COOL, HOT, HOT] }, 2, 30],
    [
      "scale down: failed pods ignored",
      5,
      50,
      {
        levels: [100, 300, 500, 250, 250],
        ready: [true, true, true, true, true, false, false],
        phase: ["Running", "Running", "Running", "Running", "Running", "Failed", "Failed"],
      },
      3,
      28,
    ],
    ["missing metrics, no change above target", 2, 100, { levels: [1900], count: 2 }, 2, 190],
    ["missing metrics, no change below target", 2, 100, { levels: [600], count: 2 }, 2, 60],
    [
      "missing metrics and an unready pod would flip the direction",
      3,
      50,
      { levels: [100, 450], count: 3, ready: [false, true, true] },
      3,
      45,
    ],
  ])("%s", (_name, current, target, f, replicas, utilization) => {
    expect(cpu(current, target, fleet(f))).toMatchObject({ replicas, utilization });
  });

  it("within the tolerance nothing changes; per-direction tolerances widen it", () => {
    expect(cpu(3, 100, fleet({ levels: [1080, 1080, 1080] }))).toMatchObject({ replicas: 3, utilization: 108 });
    expect(cpu(3, 100, fleet({ levels: [1150, 1150, 1150] }))).toMatchObject({ replicas: 4 });
    const wide = resourceUtilizationReplicas({
      currentReplicas: 3,
      targetUtilization: 100,
      ...fleet({ levels: [1150, 1150, 1150] }),
      cpu: true,
      tolerances: { scaleUp: 0.2, scaleDown: 0.1 },
      nowMs: NOW,
    });
    expect(wide).toMatchObject({ replicas: 3 });
  });

  it("a scale-down counts missing pods at the target when the target is above 100 %", () => {
    // Ready pods at 50 % of a 150 % target: missing pods count at 150 %, not 100 %.
    const r = cpu(4, 150, fleet({ levels: [500, 500], count: 4 }));
    // (2 × 1000 + 2 × 3000) / 8000 = 100 % → ratio 0.667 → ceil(0.667 × 4) = 3.
    expect(r).toMatchObject({ replicas: 3, utilization: 50 });
  });

  it("says why when no pod has a usable metric, or a pod has no request", () => {
    expect(cpu(2, 50, fleet({ levels: [], count: 2, ready: [false, false] }))).toEqual({
      error: "did not receive metrics for targeted pods (pods might be unready)",
    });
    const f = fleet({ levels: [100] });
    f.pods[0]!.request = undefined;
    expect(cpu(1, 50, f)).toEqual({ error: "missing request for cpu in pod pod-0" });
  });

  it("property: missing and unready pods never flip the direction of the ready pods' ratio", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ level: fc.integer({ min: 0, max: 4000 }), state: fc.constantFrom("ready", "unready", "missing", "pending") }),
          { minLength: 1, maxLength: 12 },
        ),
        fc.integer({ min: 10, max: 200 }),
        (pods, target) => {
          // One pod per replica, as the target's pods are.
          const current = pods.length;
          const f = fleet({
            levels: [],
            count: pods.length,
            ready: pods.map((p) => p.state !== "unready"),
            phase: pods.map((p) => (p.state === "pending" ? "Pending" : "Running")),
          });
          pods.forEach((p, i) => {
            if (p.state !== "missing" && p.state !== "pending")
              f.metrics.set(`pod-${i}`, { value: 2 * p.level, timestampMs: 0, windowMs: 60_000 });
          });
          const ready = pods.filter((p) => p.state === "ready");
          const r = cpu(current, target, f);
          if ("error" in r) return expect(ready.length).toBe(0);
          const readyUtilization = Math.trunc((ready.reduce((s, p) => s + 2 * p.level, 0) * 100) / (ready.length * 2000));
          if (readyUtilization > target) expect(r.replicas).toBeGreaterThanOrEqual(current);
          if (readyUtilization < target) expect(r.replicas).toBeLessThanOrEqual(current);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("average values, objects and external metrics", () => {
  it("Pods metrics: the average per pod against the target", () => {
    const f = fleet({ levels: [10_000, 20_000, 30_000] });
    // Averages 2 × 20,000 per pod against 20,000: ratio 2 → 6.
    expect(
      averageValueReplicas({ currentReplicas: 3, targetAverage: 20_000, ...f, cpu: false, tolerances: DEFAULT_TOLERANCES, nowMs: NOW }),
    ).toEqual({ replicas: 6, value: 40_000 });
  });

  it("Object and External Value targets scale from zero on the ratio alone, otherwise on the ready pods", () => {
    expect(valueReplicas({ currentReplicas: 0, value: 2500, target: 1000, readyPods: 0, tolerances: DEFAULT_TOLERANCES })).toEqual({
      replicas: 3,
      value: 2500,
    });
    expect(valueReplicas({ currentReplicas: 0, value: 0, target: 1000, readyPods: 0, tolerances: DEFAULT_TOLERANCES })).toEqual({
      replicas: 0,
      value: 0,
    });
    expect(valueReplicas({ currentReplicas: 4, value: 3000, target: 1000, readyPods: 4, tolerances: DEFAULT_TOLERANCES })).toEqual({
      replicas: 12,
      value: 3000,
    });
    expect(valueReplicas({ currentReplicas: 4, value: 1050, target: 1000, readyPods: 4, tolerances: DEFAULT_TOLERANCES })).toEqual({
      replicas: 4,
      value: 1050,
    });
  });

  it("AverageValue targets of Object and External metrics divide the metric among the replicas", () => {
    // 8,000 queued, 1,000 per replica wanted, 4 replicas now: 8.
    expect(averageOfValueReplicas({ statusReplicas: 4, value: 8000, targetAverage: 1000, tolerances: DEFAULT_TOLERANCES })).toEqual({
      replicas: 8,
      value: 2000,
    });
    expect(averageOfValueReplicas({ statusReplicas: 4, value: 4200, targetAverage: 1000, tolerances: DEFAULT_TOLERANCES })).toEqual({
      replicas: 4,
      value: 1050,
    });
  });
});
