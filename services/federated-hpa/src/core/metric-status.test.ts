import { describe, expect, it } from "@jest/globals";
import type { MetricSource } from "./autoscale.ts";
import { metricStatuses, quantity, targetsSummary } from "./metric-status.ts";

const cpu: MetricSource = { type: "Resource", name: "cpu", target: { type: "Utilization", averageUtilization: 50 } };
const queue: MetricSource = { type: "External", metricName: "queue_length", target: { type: "AverageValue", averageValue: 10_000 } };
const rps: MetricSource = { type: "Pods", metricName: "rps", target: { type: "AverageValue", averageValue: 100_500 } };

describe("metric status", () => {
  it.each([
    [0, "0"],
    [250, "250m"],
    [35_000, "35"],
    [8750, "8750m"],
  ])("writes %d milli-units as the quantity %s", (milli, q) => expect(quantity(milli)).toBe(q));

  it("reports currentMetrics in autoscaling/v2's shape", () => {
    expect(
      metricStatuses(
        [cpu, queue],
        [
          { type: "Resource", name: "cpu", value: 900, utilization: 90 },
          { type: "External", name: "queue_length", value: 8750 },
        ],
      ),
    ).toEqual([
      { type: "Resource", resource: { name: "cpu", current: { averageUtilization: 90, averageValue: "900m" } } },
      { type: "External", external: { metric: { name: "queue_length" }, current: { averageValue: "8750m" } } },
    ]);
  });

  it("prints TARGETS as kubectl get hpa does, <unknown> where nothing was read", () => {
    expect(targetsSummary([cpu, queue, rps], [{ type: "Resource", name: "cpu", value: 900, utilization: 90 }])).toBe(
      "cpu: 90%/50%, queue_length: <unknown>/10 (avg), rps: <unknown>/100500m",
    );
  });
});
