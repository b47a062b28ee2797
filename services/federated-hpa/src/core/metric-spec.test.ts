import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { behaviorOf, historyFromStatus, historyToStatus, metricSources } from "./metric-spec.ts";

describe("the FederatedHPA spec in the core's terms", () => {
  it("reads every metric type with quantities as milli-units, and defaults to CPU at 80 %", () => {
    expect(metricSources({})).toEqual([{ type: "Resource", name: "cpu", target: { type: "Utilization", averageUtilization: 80 } }]);
    expect(
      metricSources({
        metrics: [
          { type: "Resource", resource: { name: "memory", target: { type: "AverageValue", averageValue: "1Gi" } } },
          { type: "Pods", pods: { metric: { name: "requests_per_second" }, target: { type: "AverageValue", averageValue: "1500m" } } },
          { type: "External", external: { metric: { name: "queue_length" }, target: { type: "Value", value: "30" } } },
          {
            type: "Object",
            object: { describedObject: { kind: "Service", name: "web" }, metric: { name: "rps" }, target: { type: "Value", value: "2k" } },
          },
          {
            type: "ContainerResource",
            containerResource: { name: "cpu", container: "app", target: { type: "Utilization", averageUtilization: 50 } },
          },
        ],
      }),
    ).toEqual([
      { type: "Resource", name: "memory", target: { type: "AverageValue", averageValue: 1024 ** 3 * 1000 } },
      { type: "Pods", metricName: "requests_per_second", target: { type: "AverageValue", averageValue: 1500 } },
      { type: "External", metricName: "queue_length", target: { type: "Value", value: 30_000 } },
      { type: "Object", metricName: "rps", describedObject: { kind: "Service", name: "web" }, target: { type: "Value", value: 2_000_000 } },
      { type: "ContainerResource", name: "cpu", container: "app", target: { type: "Utilization", averageUtilization: 50 } },
    ]);
  });

  it("names the metric whose quantity cannot be read", () => {
    expect(() =>
      metricSources({ metrics: [{ type: "External", external: { metric: { name: "q" }, target: { type: "Value", value: "lots" } } }] }),
    ).toThrow('spec.metrics[0]: invalid quantity "lots"');
  });

  it("reads a behavior's tolerance as a fraction and keeps what is unset unset", () => {
    expect(behaviorOf({})).toBeUndefined();
    expect(behaviorOf({ behavior: { scaleDown: { tolerance: "0.05", selectPolicy: "Min" } } })).toEqual({
      scaleDown: { tolerance: 0.05, selectPolicy: "Min" },
    });
  });

  it("property: the scaling history survives the trip through the status", () => {
    const event = fc.record({ atMs: fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }), n: fc.integer({ min: 0, max: 1000 }) });
    fc.assert(
      fc.property(fc.array(event, { maxLength: 20 }), fc.array(event, { maxLength: 20 }), fc.array(event, { maxLength: 20 }), (r, u, d) => {
        const h = {
          recommendations: r.map((x) => ({ atMs: x.atMs, replicas: x.n })),
          scaleUpEvents: u.map((x) => ({ atMs: x.atMs, change: x.n })),
          scaleDownEvents: d.map((x) => ({ atMs: x.atMs, change: x.n })),
        };
        expect(historyFromStatus({ history: historyToStatus(h) })).toEqual(h);
      }),
    );
  });
});
