/**
 * The FederatedHPA's spec and status in the core's terms: metric specs with quantities as
 * milli-units, the behavior, and the scaling history kept in `status.history` (times as RFC 3339)
 * so a restarted autoscaler carries on from it. Pure; a bad quantity is said, naming the metric.
 */
import type { FederatedHPASpec, FederatedHPAStatus, MetricSpec } from "@spillway/api";
import { toUnits } from "@spillway/resources";
import type { MetricSource, Target } from "./autoscale.ts";
import type { Behavior, History } from "./scaling-behavior.ts";

const milli = (q: string | number) => toUnits(q, 1e-3);

function target(t: NonNullable<NonNullable<MetricSpec["resource"]>["target"]>, where: string): Target {
  try {
    return {
      type: t.type,
      ...(t.averageUtilization !== undefined ? { averageUtilization: t.averageUtilization } : {}),
      ...(t.value !== undefined ? { value: milli(t.value) } : {}),
      ...(t.averageValue !== undefined ? { averageValue: milli(t.averageValue) } : {}),
    };
  } catch (err) {
    throw new Error(`${where}: ${(err as Error).message}`, { cause: err });
  }
}

/** The core's metric sources; CPU at 80 % utilization when none is given, as Kubernetes defaults. */
export function metricSources(spec: Pick<FederatedHPASpec, "metrics">): MetricSource[] {
  const metrics = spec.metrics?.length
    ? spec.metrics
    : [{ type: "Resource" as const, resource: { name: "cpu", target: { type: "Utilization" as const, averageUtilization: 80 } } }];
  return metrics.map((m, i): MetricSource => {
    const where = `spec.metrics[${i}]`;
    switch (m.type) {
      case "Resource":
        return { type: "Resource", name: m.resource!.name, target: target(m.resource!.target, where) };
      case "ContainerResource":
        return {
          type: "ContainerResource",
          name: m.containerResource!.name,
          container: m.containerResource!.container,
          target: target(m.containerResource!.target, where),
        };
      case "Pods":
        return { type: "Pods", metricName: m.pods!.metric.name, target: target(m.pods!.target, where) };
      case "Object":
        return {
          type: "Object",
          metricName: m.object!.metric.name,
          describedObject: {
            ...(m.object!.describedObject.apiVersion ? { apiVersion: m.object!.describedObject.apiVersion } : {}),
            kind: m.object!.describedObject.kind,
            name: m.object!.describedObject.name,
          },
          target: target(m.object!.target, where),
        };
      case "External":
        return { type: "External", metricName: m.external!.metric.name, target: target(m.external!.target, where) };
    }
  });
}

/** The behavior with tolerances as numbers; undefined keeps Kubernetes' legacy rules. */
export function behaviorOf(spec: Pick<FederatedHPASpec, "behavior">): Behavior | undefined {
  const b = spec.behavior;
  if (!b) return undefined;
  const rules = (r: NonNullable<typeof b.scaleUp> | undefined) =>
    r && {
      ...(r.stabilizationWindowSeconds !== undefined ? { stabilizationWindowSeconds: r.stabilizationWindowSeconds } : {}),
      ...(r.selectPolicy ? { selectPolicy: r.selectPolicy } : {}),
      ...(r.policies ? { policies: r.policies.map((p) => ({ ...p })) } : {}),
      ...(r.tolerance !== undefined ? { tolerance: milli(r.tolerance) / 1000 } : {}),
    };
  return { ...(b.scaleUp ? { scaleUp: rules(b.scaleUp) } : {}), ...(b.scaleDown ? { scaleDown: rules(b.scaleDown) } : {}) };
}

type StatusHistory = NonNullable<FederatedHPAStatus["history"]>;

export function historyFromStatus(s: FederatedHPAStatus | undefined): History {
  const h = s?.history;
  const times = (xs: Array<{ time: string; replicas: number }> | undefined) =>
    (xs ?? []).map((x) => ({ atMs: Date.parse(x.time), n: x.replicas }));
  return {
    recommendations: times(h?.recommendations).map((x) => ({ atMs: x.atMs, replicas: x.n })),
    scaleUpEvents: times(h?.scaleUpEvents).map((x) => ({ atMs: x.atMs, change: x.n })),
    scaleDownEvents: times(h?.scaleDownEvents).map((x) => ({ atMs: x.atMs, change: x.n })),
  };
}

/** At most the newest 256 of each (the schema's bound), oldest first. */
export function historyToStatus(h: History): StatusHistory {
  const iso = (ms: number) => new Date(ms).toISOString();
  const newest = <T>(xs: T[]) => xs.slice(-256);
  return {
    recommendations: newest(h.recommendations).map((r) => ({ time: iso(r.atMs), replicas: r.replicas })),
    scaleUpEvents: newest(h.scaleUpEvents).map((e) => ({ time: iso(e.atMs), replicas: e.change })),
    scaleDownEvents: newest(h.scaleDownEvents).map((e) => ({ time: iso(e.atMs), replicas: e.change })),
  };
}
