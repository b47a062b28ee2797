/**
 * One autoscaler's readings for a pass, each metric from where it lives: the fleet's pods and
 * their usage from cluster-gateway (Resource, ContainerResource), a Pods metric from each member's
 * own custom metrics API (through cluster-gateway, where the pods are), Object/External values
 * from the host's metrics APIs (where the objects they describe are). A metric that cannot be read
 * is an error reading, which the core reports as Kubernetes does; the others still count.
 */
import type { FederatedHPA } from "@spillway/api";
import type { LabelSelector } from "@spillway/rules";
import type { MetricReading, MetricSource } from "../core/autoscale.ts";
import { objectResource } from "../core/object-resource.ts";
import { podsMetricReading, readyPods, resourceReading, type FleetPod } from "../core/pod-readings.ts";
import type { TargetScale } from "../core/target.ts";
import type { TimedValue } from "./host-metrics-api.ts";

export interface MetricDeps {
  fleetPods: (namespace: string, selector: LabelSelector) => Promise<{ pods: FleetPod[] }>;
  /** A Pods metric of the target's pods, read in each member, by `cluster/pod`. */
  fleetPodsMetric: (
    namespace: string,
    selector: LabelSelector,
    metric: string,
    metricSelector?: LabelSelector,
  ) => Promise<Map<string, TimedValue>>;
  hostMetrics: {
    objectMetric(namespace: string, resource: string, name: string, metric: string, selector?: LabelSelector): Promise<number>;
    externalMetric(namespace: string, metric: string, selector: LabelSelector | undefined): Promise<number>;
  };
}

export async function readMetrics(
  deps: MetricDeps,
  h: FederatedHPA,
  target: TargetScale,
  sources: MetricSource[],
): Promise<{ readings: MetricReading[]; ready: number }> {
  const ns = h.metadata.namespace!;
  const needsPods = sources.some((s) => s.type === "Resource" || s.type === "ContainerResource" || s.type === "Pods");
  let pods: FleetPod[] | { error: string } = [];
  if (needsPods)
    pods = await deps.fleetPods(ns, target.selector).then(
      (r) => r.pods,
      (err: Error) => ({ error: err.message }),
    );
  const specs = h.spec.metrics ?? [];
  const out = await Promise.all(
    sources.map(async (s, i): Promise<MetricReading> => {
      try {
        switch (s.type) {
          case "Resource":
            return "error" in pods ? pods : resourceReading(pods, s.name);
          case "ContainerResource":
            return "error" in pods ? pods : resourceReading(pods, s.name, s.container);
          case "Pods":
            if ("error" in pods) return pods;
            return podsMetricReading(pods, await deps.fleetPodsMetric(ns, target.selector, s.metricName, specs[i]?.pods?.metric.selector));
          case "Object":
            return {
              value: await deps.hostMetrics.objectMetric(
                ns,
                objectResource(s.describedObject.kind, s.describedObject.apiVersion),
                s.describedObject.name,
                s.metricName,
                specs[i]?.object?.metric.selector,
              ),
            };
          case "External":
            return { value: await deps.hostMetrics.externalMetric(ns, s.metricName, specs[i]?.external?.metric.selector) };
        }
      } catch (err) {
        return { error: (err as Error).message };
      }
    }),
  );
  return { readings: out, ready: Array.isArray(pods) ? readyPods(pods) : 0 };
}
