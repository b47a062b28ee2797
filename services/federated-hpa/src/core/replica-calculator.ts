/**
 * The replica proposal of one metric, exactly as Kubernetes' HPA computes it
 * (`pkg/controller/podautoscaler/replica_calculator.go`), over the pods of the whole fleet:
 * - pods being deleted or Failed are ignored; Pending pods, and for CPU pods not Ready (or still
 *   in their CPU initialization period without a full metric window since becoming Ready), are
 *   unready; Running pods without a metric are missing;
 * - the usage ratio is taken over the ready pods with metrics; within the tolerance nothing
 *   changes; otherwise `ceil(ratio × ready pods)`;
 * - with missing or unready pods the ratio is recomputed: on a scale-down missing pods count as
 *   using their whole request (or the target, if above 100 %), on a scale-up as using nothing,
 *   and unready pods count as using nothing on a scale-up; if that flips the direction, or lands
 *   within the tolerance, nothing changes.
 * Pure: times are passed in; no IO.
 */

export interface Tolerances {
  /** How far below 1.0 the usage ratio may fall before scaling down (default 0.1). */
  scaleDown: number;
  /** How far above 1.0 before scaling up (default 0.1). */
  scaleUp: number;
}

export const DEFAULT_TOLERANCES: Tolerances = { scaleDown: 0.1, scaleUp: 0.1 };

/** Kubernetes' defaults: `--horizontal-pod-autoscaler-cpu-initialization-period` and `-initial-readiness-delay`. */
export interface ReadinessConfig {
  cpuInitializationPeriodMs: number;
  delayOfInitialReadinessStatusMs: number;
}

export const DEFAULT_READINESS: ReadinessConfig = { cpuInitializationPeriodMs: 5 * 60_000, delayOfInitialReadinessStatusMs: 30_000 };

export const withinTolerance = (ratio: number, t: Tolerances) => 1 - t.scaleDown <= ratio && ratio <= 1 + t.scaleUp;

export interface PodInfo {
  name: string;
  phase: "Pending" | "Running" | "Succeeded" | "Failed" | "Unknown";
  deleting: boolean;
  /** The Ready condition; undefined when the pod has none. */
  ready?: { status: boolean; lastTransitionMs?: number };
  startMs?: number;
  /** The pod's request of the resource (milli-units), summed over the containers considered. */
  request?: number;
}

export interface PodMetric {
  /** Milli-units. */
  value: number;
  timestampMs: number;
  windowMs: number;
}

export interface Proposal {
  replicas: number;
  /** Resource utilization in percent of the request (integer, as Kubernetes reports it). */
  utilization?: number;
  /** The average value per pod (milli-units), or the metric's value. */
  value: number;
}

export type ProposalOrError = Proposal | { error: string };

interface Groups {
  readyCount: number;
  unready: Set<string>;
  missing: Set<string>;
  ignored: Set<string>;
}

function groupPods(pods: PodInfo[], metrics: Map<string, PodMetric>, cpu: boolean, nowMs: number, cfg: ReadinessConfig): Groups {
  const g: Groups = { readyCount: 0, unready: new Set(), missing: new Set(), ignored: new Set() };
  for (const pod of pods) {
    if (pod.deleting || pod.phase === "Failed") {
      g.ignored.add(pod.name);
      continue;
    }
    if (pod.phase === "Pending") {
      g.unready.add(pod.name);
      continue;
    }
    const metric = metrics.get(pod.name);
    if (!metric) {
      g.missing.add(pod.name);
      continue;
    }
    if (cpu) {
      let unready: boolean;
      if (!pod.ready || pod.startMs === undefined) unready = true;
      else {
        // No transition time reads as the oldest time there is (Go's zero time, the epoch here).
        const transition = pod.ready.lastTransitionMs ?? 0;
        if (pod.startMs + cfg.cpuInitializationPeriodMs > nowMs)
          // Within its CPU initialization period: unready, or no full metric window since it became Ready.
          unready = !pod.ready.status || metric.timestampMs < transition + metric.windowMs;
        // After it: ignored only if unready and never Ready since it started.
        else unready = !pod.ready.status && pod.startMs + cfg.delayOfInitialReadinessStatusMs > transition;
      }
      if (unready) {
        g.unready.add(pod.name);
        continue;
      }
    }
    g.readyCount++;
  }
  return g;
}

/** Percent of requests used (integer division, as Kubernetes), the ratio to the target, and the raw average. */
function utilizationRatio(
  metrics: Map<string, number>,
  requests: Map<string, number>,
  target: number,
): { error: string } | { ratio: number; utilization: number; raw: number } {
  let used = 0;
  let requested = 0;
  for (const [pod, value] of metrics) {
    const r = requests.get(pod);
    if (r === undefined) continue;
    used += value;
    requested += r;
  }
  if (requested === 0) return { error: "no metrics returned matched known pods" };
  const utilization = Math.trunc((used * 100) / requested);
  return { ratio: utilization / target, utilization, raw: Math.trunc(used / metrics.size) };
}

/** What every per-pod calculation reads: the target's pods, their samples, and the clock. */
export interface PodSamples {
  currentReplicas: number;
  pods: PodInfo[];
  metrics: Map<string, PodMetric>;
  /** CPU: readiness and initialization rules apply. */
  cpu: boolean;
  tolerances: Tolerances;
  readiness?: ReadinessConfig;
  nowMs: number;
}

/** The pods grouped, and the samples of the ready ones; or why there is nothing to compute from. */
function readySamples(input: PodSamples): { g: Groups; values: Map<string, number> } | { error: string } {
  if (input.pods.length === 0) return { error: "no pods returned by selector while calculating replica count" };
  const g = groupPods(input.pods, input.metrics, input.cpu, input.nowMs, input.readiness ?? DEFAULT_READINESS);
  const values = new Map<string, number>();
  for (const [pod, m] of input.metrics) if (!g.ignored.has(pod) && !g.unready.has(pod)) values.set(pod, m.value);
  if (values.size === 0) return { error: "did not receive metrics for targeted pods (pods might be unready)" };
  return { g, values };
}

/** `Resource` / `ContainerResource` with a target average utilization (percent of the request). */
export function resourceUtilizationReplicas(input: PodSamples & { targetUtilization: number }): ProposalOrError {
  const { currentReplicas, targetUtilization, pods, tolerances } = input;
  const ready = readySamples(input);
  if ("error" in ready) return ready;
  const { g, values } = ready;
  const requests = new Map<string, number>();
  for (const p of pods) {
    if (p.request === undefined) return { error: `missing request for ${input.cpu ? "cpu" : "the resource"} in pod ${p.name}` };
    requests.set(p.name, p.request);
  }
  const first = utilizationRatio(values, requests, targetUtilization);
  if ("error" in first) return first;
  const { ratio, utilization, raw } = first;
  const scaleUpWithUnready = g.unready.size > 0 && ratio > 1;
  if (!scaleUpWithUnready && g.missing.size === 0) {
    if (withinTolerance(ratio, tolerances)) return { replicas: currentReplicas, utilization, value: raw };
    return { replicas: Math.ceil(ratio * g.readyCount), utilization, value: raw };
  }
  if (g.missing.size > 0) {
    // A scale-down counts missing pods as using their whole request (or the target, above 100 %); a scale-up as using nothing.
    const fallback = Math.max(100, targetUtilization);
    for (const pod of g.missing) values.set(pod, ratio < 1 ? Math.trunc((requests.get(pod)! * fallback) / 100) : 0);
  }
  if (scaleUpWithUnready) for (const pod of g.unready) values.set(pod, 0);
  const second = utilizationRatio(values, requests, targetUtilization);
  if ("error" in second) return second;
  const next = second.ratio;
  if (withinTolerance(next, tolerances) || (ratio < 1 && next > 1) || (ratio > 1 && next < 1))
    return { replicas: currentReplicas, utilization, value: raw };
  const replicas = Math.ceil(next * values.size);
  // The pods counted may differ from the current replicas: never let that flip the direction.
  if ((next < 1 && replicas > currentReplicas) || (next > 1 && replicas < currentReplicas))
    return { replicas: currentReplicas, utilization, value: raw };
  return { replicas, utilization, value: raw };
}

/** `Pods` metrics and `Resource` with an AverageValue target: the average per pod against the target. */
export function averageValueReplicas(input: PodSamples & { targetAverage: number }): ProposalOrError {
  const { currentReplicas, targetAverage, tolerances } = input;
  const ready = readySamples(input);
  if ("error" in ready) return ready;
  const { g, values } = ready;
  const average = (v: Map<string, number>) => Math.trunc([...v.values()].reduce((s, x) => s + x, 0) / v.size);
  const value = average(values);
  const ratio = value / targetAverage;
  const scaleUpWithUnready = g.unready.size > 0 && ratio > 1;
  if (!scaleUpWithUnready && g.missing.size === 0) {
    if (withinTolerance(ratio, tolerances)) return { replicas: currentReplicas, value };
    return { replicas: Math.ceil(ratio * g.readyCount), value };
  }
  // Missing pods: the target itself on a scale-down, nothing on a scale-up.
  for (const pod of g.missing) values.set(pod, ratio < 1 ? targetAverage : 0);
  if (scaleUpWithUnready) for (const pod of g.unready) values.set(pod, 0);
  const next = average(values) / targetAverage;
  if (withinTolerance(next, tolerances) || (ratio < 1 && next > 1) || (ratio > 1 && next < 1)) return { replicas: currentReplicas, value };
  return { replicas: Math.ceil(next * values.size), value };
}

/**
 * `Object` and `External` metrics with a Value target: the ratio of the metric to the target,
 * times the ready pods; from zero replicas (scale-to-zero) the ratio alone.
 */
export function valueReplicas(input: {
  currentReplicas: number;
  value: number;
  target: number;
  /** Running and Ready pods of the target. */
  readyPods: number;
  tolerances: Tolerances;
}): Proposal {
  const ratio = input.value / input.target;
  if (input.currentReplicas === 0) return { replicas: Math.ceil(ratio), value: input.value };
  if (withinTolerance(ratio, input.tolerances)) return { replicas: input.currentReplicas, value: input.value };
  return { replicas: Math.ceil(ratio * input.readyPods), value: input.value };
}

/** `Object` and `External` metrics with an AverageValue target: the metric divided among the replicas. */
export function averageOfValueReplicas(input: {
  statusReplicas: number;
  value: number;
  targetAverage: number;
  tolerances: Tolerances;
}): Proposal {
  const { statusReplicas, value, targetAverage } = input;
  let replicas = statusReplicas;
  const ratio = value / (targetAverage * statusReplicas);
  if (!withinTolerance(ratio, input.tolerances)) replicas = Math.ceil(value / targetAverage);
  return { replicas, value: statusReplicas > 0 ? Math.ceil(value / statusReplicas) : value };
}
