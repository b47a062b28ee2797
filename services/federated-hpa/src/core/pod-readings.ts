/**
 * The fleet's pods of a target, as cluster-gateway's FleetMetrics reports them, in the calculator's
 * terms: each pod named `<cluster>/<pod>` (names are unique per member, not across the fleet), its
 * request of the metric's resource, and its usage sample. As Kubernetes' HPA: a Resource metric
 * sums every container, a ContainerResource metric reads the one container; a pod with no usage
 * is missing, and a container without a request of the resource leaves the pod without a request
 * (a Utilization target then says which pod). Pure.
 */
import type { MetricReading } from "./autoscale.ts";
import type { PodInfo, PodMetric } from "./replica-calculator.ts";

export interface FleetPod {
  cluster: string;
  name: string;
  phase: string;
  deleting: boolean;
  ready: "True" | "False" | undefined;
  readyTransitionMs: number;
  startMs: number;
  containers: Array<{ name: string; requestsMilli: Record<string, number>; usageMilli: Record<string, number> }>;
  hasUsage: boolean;
  usageTimestampMs: number;
  usageWindowMs: number;
}

const PHASES = new Set<PodInfo["phase"]>(["Pending", "Running", "Succeeded", "Failed", "Unknown"]);

/** Pods that finished hold no replica: Kubernetes' HPA lists them and drops them the same way. */
const counted = (p: FleetPod) => p.phase !== "Succeeded";

/** A pod fleet-wide, `cluster/pod`: pod names are unique only within a member. */
export const podKey = (cluster: string, pod: string) => `${cluster}/${pod}`;

export function podInfo(p: FleetPod, request: number | undefined): PodInfo {
  return {
    name: podKey(p.cluster, p.name),
    phase: PHASES.has(p.phase as PodInfo["phase"]) ? (p.phase as PodInfo["phase"]) : "Unknown",
    deleting: p.deleting,
    ...(p.ready
      ? { ready: { status: p.ready === "True", ...(p.readyTransitionMs ? { lastTransitionMs: p.readyTransitionMs } : {}) } }
      : {}),
    ...(p.startMs ? { startMs: p.startMs } : {}),
    ...(request !== undefined ? { request } : {}),
  };
}

/** A Resource (every container) or ContainerResource (`container`) reading of `resource`. */
export function resourceReading(pods: readonly FleetPod[], resource: string, container?: string): MetricReading {
  const infos: PodInfo[] = [];
  const samples = new Map<string, PodMetric>();
  for (const p of pods.filter(counted)) {
    const containers = container === undefined ? p.containers : p.containers.filter((c) => c.name === container);
    const requests = containers.map((c) => c.requestsMilli[resource]);
    const request = containers.length > 0 && requests.every((r) => r !== undefined) ? requests.reduce((a, b) => a! + b!, 0) : undefined;
    const info = podInfo(p, request);
    infos.push(info);
    const usage = containers.map((c) => c.usageMilli[resource]);
    if (p.hasUsage && containers.length > 0 && usage.every((u) => u !== undefined))
      samples.set(info.name, {
        value: usage.reduce((a, b) => a! + b!, 0)!,
        timestampMs: p.usageTimestampMs,
        windowMs: p.usageWindowMs,
      });
  }
  return { pods: infos, samples };
}

/** A Pods metric reading: values from the members' custom metrics APIs by `cluster/pod`, matched to the fleet's pods. */
export function podsMetricReading(
  pods: readonly FleetPod[],
  values: ReadonlyMap<string, { value: number; timestampMs: number; windowMs: number }>,
): MetricReading {
  const infos: PodInfo[] = [];
  const samples = new Map<string, PodMetric>();
  for (const p of pods.filter(counted)) {
    const info = podInfo(p, undefined);
    infos.push(info);
    const v = values.get(info.name);
    if (v) samples.set(info.name, v);
  }
  return { pods: infos, samples };
}

/** Running and Ready pods of the target across the fleet. */
export const readyPods = (pods: readonly FleetPod[]) =>
  pods.filter((p) => p.phase === "Running" && p.ready === "True" && !p.deleting).length;
