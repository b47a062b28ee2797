import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { autoscale, limitToFleet, type AutoscaleInput, type FleetCapacity, type MetricReading, type MetricSource } from "./autoscale.ts";
import type { PodInfo, PodMetric } from "./replica-calculator.ts";
import { emptyHistory } from "./scaling-behavior.ts";

const NOW = Date.parse("2026-11-27T12:00:00Z");
const cpuTarget = (averageUtilization: number): MetricSource => ({
  type: "Resource",
  name: "cpu",
  target: { type: "Utilization", averageUtilization },
});
const queue = (averageValue: number): MetricSource => ({
  type: "External",
  metricName: "queue_length",
  target: { type: "AverageValue", averageValue },
});
/** `n` ready pods requesting 1 CPU, each using `usedMilli`. */
function pods(n: number, usedMilli: number): MetricReading {
  const list: PodInfo[] = Array.from({ length: n }, (_, i) => ({
    name: `p-${i}`,
    phase: "Running",
    deleting: false,
    ready: { status: true, lastTransitionMs: NOW - 3_600_000 },
    startMs: NOW - 3_600_000,
    request: 1000,
  }));
  const samples = new Map<string, PodMetric>(list.map((p) => [p.name, { value: usedMilli, timestampMs: NOW, windowMs: 60_000 }]));
  return { pods: list, samples };
}
const input = (o: Partial<AutoscaleInput> & Pick<AutoscaleInput, "currentReplicas" | "metrics" | "readings">): AutoscaleInput => ({
  minReplicas: 1,
  maxReplicas: 40,
  statusReplicas: o.currentReplicas,
  readyPods: o.currentReplicas,
  history: emptyHistory(),
  nowMs: NOW,
  ...o,
});

/** The decision as the controller makes it: the autoscaler's, then held to what the fleet can place. */
const decide = (i: AutoscaleInput, fleetCapacity: FleetCapacity) => limitToFleet(autoscale(i), i.currentReplicas, fleetCapacity);

describe("autoscale", () => {
  it("leaves a target scaled to zero alone when minReplicas is above zero", () => {
    const d = autoscale(input({ currentReplicas: 0, metrics: [cpuTarget(50)], readings: [pods(0, 0)] }));
    expect(d).toMatchObject({
      rescale: false,
      desiredReplicas: 0,
      conditions: { scalingActive: { status: "False", reason: "ScalingDisabled" } },
    });
  });

  it("brings a count outside [min, max] back first", () => {
    expect(autoscale(input({ currentReplicas: 50, metrics: [cpuTarget(50)], readings: [pods(50, 10)] }))).toMatchObject({
      desiredReplicas: 40,
      rescale: true,
      reason: "Current number of replicas above Spec.MaxReplicas",
    });
  });

  it("takes the largest proposal, and says which metric drove it", () => {
    // CPU at 90 % of a 50 % target on 4 pods → 8; 12,000 queued at 1,000 per replica → 12.
    const d = autoscale(input({ currentReplicas: 4, metrics: [cpuTarget(50), queue(1000)], readings: [pods(4, 900), { value: 12_000 }] }));
    expect(d).toMatchObject({ desiredReplicas: 8, rescale: true, reason: "external metric queue_length above target" });
    // Without behavior, at most max(2 × 4, 4) = 8 in one step (Kubernetes' legacy rate).
    expect(d.conditions.scalingLimited).toMatchObject({ status: "True", reason: "ScaleUpLimit" });
    expect(d.currentMetrics).toEqual([
      { type: "Resource", name: "cpu", value: 900, utilization: 90 },
      { type: "External", name: "queue_length", value: 3000 },
    ]);
  });

  it("does not scale down on the metrics it could read when another failed", () => {
    const d = autoscale(
      input({
        currentReplicas: 6,
        metrics: [cpuTarget(50), queue(1000)],
        readings: [pods(6, 100), { error: "the external metrics API is unavailable" }],
      }),
    );
    expect(d).toMatchObject({ rescale: false, desiredReplicas: 6 });
    expect(d.conditions.scalingActive).toEqual({
      status: "False",
      reason: "FailedGetExternalMetric",
      message: "the HPA was unable to compute the replica count: the external metrics API is unavailable",
    });
  });

  it("stops a scale-up at what the fleet can place, naming what is short", () => {
    const behavior = { scaleUp: { policies: [{ type: "Pods" as const, value: 100, periodSeconds: 15 }] } };
    const d = decide(
      input({
        currentReplicas: 20,
        behavior,
        metrics: [cpuTarget(50)],
        readings: [pods(20, 1000)],
      }),
      { replicas: 32, short: "needs 1 nvidia.com/gpu per replica; largest free node has 0" },
    );
    expect(d).toMatchObject({ desiredReplicas: 32, rescale: true });
    expect(d.conditions.scalingLimited).toEqual({
      status: "True",
      reason: "FleetCapacity",
      message: "the fleet can place 32 replica(s) in all: needs 1 nvidia.com/gpu per replica; largest free node has 0",
    });
    // Already at the fleet's capacity: no step, the reason stays.
    const at = decide(
      input({
        currentReplicas: 32,
        behavior,
        metrics: [cpuTarget(50)],
        readings: [pods(32, 1000)],
      }),
      { replicas: 32, short: "full" },
    );
    expect(at).toMatchObject({ desiredReplicas: 32, rescale: false, conditions: { scalingLimited: { reason: "FleetCapacity" } } });
  });

  it("scales to zero on an empty queue and from zero when it grows (minReplicas 0)", () => {
    const value = (n: number): MetricSource => ({ type: "External", metricName: "queue_length", target: { type: "Value", value: n } });
    const behavior = { scaleDown: { stabilizationWindowSeconds: 0 } };
    const empty = autoscale(input({ minReplicas: 0, currentReplicas: 3, behavior, metrics: [value(1000)], readings: [{ value: 0 }] }));
    expect(empty).toMatchObject({ desiredReplicas: 0, rescale: true, reason: "All metrics below target" });
    const grown = autoscale(input({ minReplicas: 0, currentReplicas: 0, behavior, metrics: [value(1000)], readings: [{ value: 2500 }] }));
    expect(grown).toMatchObject({ desiredReplicas: 3, rescale: true });
  });

  it("an idle GPU workload comes down to ONE replica fleet-wide once the scale-down window has passed", () => {
    const history = { ...emptyHistory(), recommendations: [{ atMs: NOW - 301_000, replicas: 16 }] };
    expect(autoscale(input({ currentReplicas: 16, metrics: [cpuTarget(60)], readings: [pods(16, 5)], history }))).toMatchObject({
      desiredReplicas: 1,
    });
  });

  it("first sight: the count found is the first recommendation, so a new autoscaler waits out the window before shrinking it", () => {
    const first = autoscale(input({ currentReplicas: 16, metrics: [cpuTarget(60)], readings: [pods(16, 5)] }));
    expect(first).toMatchObject({ desiredReplicas: 16, rescale: false, conditions: { ableToScale: { reason: "ScaleDownStabilized" } } });
    expect(first.history.recommendations).toEqual([
      { atMs: NOW, replicas: 16 },
      // The raw proposal (0 % used: 0); minReplicas applies after stabilization.
      { atMs: NOW, replicas: 0 },
    ]);
    const later = autoscale(
      input({ currentReplicas: 16, metrics: [cpuTarget(60)], readings: [pods(16, 5)], history: first.history, nowMs: NOW + 301_000 }),
    );
    expect(later.desiredReplicas).toBe(1);
  });

  it("property: never outside [minReplicas, maxReplicas], and within the fleet's capacity when scaling up", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 3000 }),
        fc.integer({ min: 0, max: 80 }),
        (min, span, current, used, capacity) => {
          const max = min + span;
          const c = Math.min(Math.max(current, min), max);
          const d = decide(
            input({
              minReplicas: min,
              maxReplicas: max,
              currentReplicas: c,
              metrics: [cpuTarget(50)],
              readings: [pods(c, used)],
            }),
            { replicas: capacity, short: "full" },
          );
          expect(d.desiredReplicas).toBeGreaterThanOrEqual(Math.min(min, c));
          expect(d.desiredReplicas).toBeLessThanOrEqual(max);
          if (d.desiredReplicas > c) expect(d.desiredReplicas).toBeLessThanOrEqual(capacity);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
