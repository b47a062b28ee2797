/**
 * `status.currentMetrics` as `autoscaling/v2` reports them (`kubectl describe hpa` reads the same
 * shape): the metric source, and its current utilization or value as a quantity. Pure.
 */
import type { FederatedHPAStatus } from "@spillway/api";
import type { MetricSource, MetricStatus } from "./autoscale.ts";

type V2MetricStatus = NonNullable<FederatedHPAStatus["currentMetrics"]>[number];

/** Milli-units as a Kubernetes quantity: whole numbers plain, the rest in `m`. */
export const quantity = (milli: number) => (milli % 1000 === 0 ? String(milli / 1000) : `${Math.round(milli)}m`);

export function metricStatuses(sources: readonly MetricSource[], current: readonly MetricStatus[]): V2MetricStatus[] {
  return current.map((c): V2MetricStatus => {
    const src = sources.find(
      (s) => s.type === c.type && (s.type === "Resource" || s.type === "ContainerResource" ? s.name : s.metricName) === c.name,
    );
    const value = c.value !== undefined ? quantity(c.value) : undefined;
    const averaged = src?.target.type !== "Value";
    const cur = {
      ...(c.utilization !== undefined ? { averageUtilization: c.utilization } : {}),
      ...(value !== undefined ? (averaged ? { averageValue: value } : { value }) : {}),
    };
    switch (src?.type) {
      case "ContainerResource":
        return { type: "ContainerResource", containerResource: { name: src.name, container: src.container, current: cur } };
      case "Pods":
        return { type: "Pods", pods: { metric: { name: src.metricName }, current: cur } };
      case "Object":
        return {
          type: "Object",
          object: {
            metric: { name: src.metricName },
            describedObject: { kind: src.describedObject.kind, name: src.describedObject.name },
            current: cur,
          },
        };
      case "External":
        return { type: "External", external: { metric: { name: src.metricName }, current: cur } };
      default:
        return { type: "Resource", resource: { name: c.name, current: cur } };
    }
  });
}

/**
 * The TARGETS column of `kubectl get hpa`, for `kubectl get fhpa`: each metric's current value
 * over its target (`cpu: 90%/50%`, `queue_length: 8750m/10 (avg)`), `<unknown>` where no value
 * was read this pass.
 */
export function targetsSummary(sources: readonly MetricSource[], current: readonly MetricStatus[]): string {
  return sources
    .map((s) => {
      const name = s.type === "Resource" || s.type === "ContainerResource" ? s.name : s.metricName;
      const c = current.find((m) => m.type === s.type && m.name === name);
      const t = s.target;
      if (t.type === "Utilization")
        return `${name}: ${c?.utilization !== undefined ? `${c.utilization}%` : "<unknown>"}/${t.averageUtilization}%`;
      const now = c?.value !== undefined ? quantity(c.value) : "<unknown>";
      if (t.type === "AverageValue")
        return `${name}: ${now}/${quantity(t.averageValue ?? 0)}${s.type === "Object" || s.type === "External" ? " (avg)" : ""}`;
      return `${name}: ${now}/${quantity(t.value ?? 0)}`;
    })
    .join(", ");
}
