/**
 * One FederatedHPA's whole decision, as Kubernetes' horizontal controller reconciles an HPA
 * (`reconcileAutoscaler`), over the fleet, plus what only a federation can know:
 * - a target scaled to zero with `minReplicas > 0` is left alone (scaling disabled); a count
 *   outside [min, max] is brought back first;
 * - each metric proposes replicas (`replica-calculator.ts`); the largest wins; a metric that
 *   cannot be read makes the pass fail only when every metric fails or when the others would
 *   scale down (a missing signal must not shrink the workload);
 * - the proposal is stabilized and rate-limited (`scaling-behavior.ts`);
 * - **fleet capacity**: a scale-up stops at what the scheduler can place in the whole fleet,
 *   with `ScalingLimited=True, FleetCapacity` naming what is short, instead of replicas that
 *   would stay Pending for ever.
 * Pure.
 */
import {
  averageOfValueReplicas,
  averageValueReplicas,
  resourceUtilizationReplicas,
  valueReplicas,
  type PodInfo,
  type PodMetric,
  type ProposalOrError,
  type ReadinessConfig,
  type Tolerances,
} from "./replica-calculator.ts";
import { normalize, type Behavior, type Condition, type History } from "./scaling-behavior.ts";

/** A metric target; values in milli-units. */
export interface Target {
  type: "Utilization" | "Value" | "AverageValue";
  averageUtilization?: number;
  value?: number;
  averageValue?: number;
}

export type MetricSource =
  | { type: "Resource"; name: string; target: Target }
  | { type: "ContainerResource"; name: string; container: string; target: Target }
  | { type: "Pods"; metricName: string; target: Target }
  | { type: "Object"; metricName: string; describedObject: { apiVersion?: string; kind: string; name: string }; target: Target }
  | { type: "External"; metricName: string; target: Target };

/** What was read for one metric: the target's pods and their samples, one value, or why nothing. */
export type MetricReading = { pods: PodInfo[]; samples: Map<string, PodMetric> } | { value: number } | { error: string };

export interface AutoscaleInput {
  minReplicas: number;
  maxReplicas: number;
  metrics: MetricSource[];
  behavior?: Behavior;
  /** The target's `spec.replicas` (its scale subresource). */
  currentReplicas: number;
  /** The target's `status.replicas`, for per-pod averages of Object/External metrics. */
  statusReplicas: number;
  /** Running and Ready pods of the target across the fleet. */
  readyPods: number;
  readings: MetricReading[];
  history: History;
  tolerance?: number;
  readiness?: ReadinessConfig;
  downscaleStabilizationSeconds?: number;
  nowMs: number;
}

export interface MetricStatus {
  type: MetricSource["type"];
  name: string;
  /** Current value (milli-units) and utilization (percent), where they apply. */
  value?: number;
  utilization?: number;
}

export interface AutoscaleDecision {
  desiredReplicas: number;
  rescale: boolean;
  /** Why, as Kubernetes words it for the Event (`New size: N; reason: …`). */
  reason: string;
  conditions: { ableToScale?: Condition; scalingActive: Condition; scalingLimited?: Condition };
  currentMetrics: MetricStatus[];
  history: History;
}

/** The metric's name as Kubernetes reports it in reasons and conditions. */
export function metricName(m: MetricSource): string {
  switch (m.type) {
    case "Resource":
      return m.target.type === "Utilization" ? `${m.name} resource utilization (percentage of request)` : `${m.name} resource`;
    case "ContainerResource":
      return m.target.type === "Utilization"
        ? `${m.name} container resource utilization (percentage of request)`
        : `${m.name} container resource`;
    case "Pods":
      return `pods metric ${m.metricName}`;
    case "Object":
      return `${m.describedObject.kind} metric ${m.metricName}`;
    case "External":
      return `external metric ${m.metricName}`;
  }
}

const failedReason: Record<MetricSource["type"], string> = {
  Resource: "FailedGetResourceMetric",
  ContainerResource: "FailedGetContainerResourceMetric",
  Pods: "FailedGetPodsMetric",
  Object: "FailedGetObjectMetric",
  External: "FailedGetExternalMetric",
};

function propose(m: MetricSource, r: MetricReading, input: AutoscaleInput, tolerances: Tolerances): ProposalOrError {
  if ("error" in r) return r;
  const t = m.target;
  if ("value" in r) {
    if (m.type !== "Object" && m.type !== "External") return { error: `a ${m.type} metric needs pod samples` };
    if (t.type === "AverageValue" && t.averageValue)
      return averageOfValueReplicas({ statusReplicas: input.statusReplicas, value: r.value, targetAverage: t.averageValue, tolerances });
    if (t.type === "Value" && t.value)
      return valueReplicas({
        currentReplicas: input.currentReplicas,
        value: r.value,
        target: t.value,
        readyPods: input.readyPods,
        tolerances,
      });
    return { error: `${metricName(m)}: target ${t.type} needs a positive ${t.type === "Value" ? "value" : "averageValue"}` };
  }
  const base = {
    currentReplicas: input.currentReplicas,
    pods: r.pods,
    metrics: r.samples,
    tolerances,
    nowMs: input.nowMs,
    ...(input.readiness ? { readiness: input.readiness } : {}),
  };
  const cpu = (m.type === "Resource" || m.type === "ContainerResource") && m.name === "cpu";
  if (t.type === "Utilization" && t.averageUtilization && (m.type === "Resource" || m.type === "ContainerResource"))
    return resourceUtilizationReplicas({ ...base, targetUtilization: t.averageUtilization, cpu });
  if (t.type === "AverageValue" && t.averageValue) return averageValueReplicas({ ...base, targetAverage: t.averageValue, cpu });
  return { error: `${metricName(m)}: target ${t.type} is not supported for this metric type` };
}

export function autoscale(input: AutoscaleInput): AutoscaleDecision {
  const { currentReplicas: current, minReplicas: min, maxReplicas: max } = input;
  const base = (b: Behavior["scaleUp"]) => b?.tolerance ?? input.tolerance ?? 0.1;
  const tolerances: Tolerances = { scaleUp: base(input.behavior?.scaleUp), scaleDown: base(input.behavior?.scaleDown) };
  const keep = (over: Partial<AutoscaleDecision> & Pick<AutoscaleDecision, "conditions" | "reason">): AutoscaleDecision => ({
    desiredReplicas: current,
    rescale: false,
    currentMetrics: [],
    history: input.history,
    ...over,
  });

  if (current === 0 && min !== 0)
    return keep({
      desiredReplicas: 0,
      reason: "",
      conditions: {
        scalingActive: {
          status: "False",
          reason: "ScalingDisabled",
          message: "scaling is disabled since the replica count of the target is zero",
        },
      },
    });
  const active = (metric: string): Condition => ({
    status: "True",
    reason: "ValidMetricFound",
    message: `the HPA was able to successfully calculate a replica count from ${metric}`,
  });
  if (current > max || current < min) {
    const desired = current > max ? max : min;
    return {
      desiredReplicas: desired,
      rescale: true,
      reason: current > max ? "Current number of replicas above Spec.MaxReplicas" : "Current number of replicas below Spec.MinReplicas",
      conditions: {
        ableToScale: {
          status: "True",
          reason: "SucceededRescale",
          message: `the HPA controller was able to update the target scale to ${desired}`,
        },
        scalingActive: {
          status: "True",
          reason: "ValidMetricFound",
          message: "the HPA was able to successfully calculate a replica count",
        },
        scalingLimited: {
          status: "True",
          reason: current > max ? "TooManyReplicas" : "TooFewReplicas",
          message:
            current > max
              ? "the desired replica count is more than the maximum replica count"
              : "the desired replica count is less than the minimum replica count",
        },
      },
      currentMetrics: [],
      history: input.history,
    };
  }

  // The largest proposal of the metrics that could be read.
  let proposed = 0;
  let winner = "";
  let invalid = 0;
  let firstError: { reason: string; message: string } | undefined;
  const currentMetrics: MetricStatus[] = [];
  input.metrics.forEach((m, i) => {
    const reading = input.readings[i] ?? { error: "no reading" };
    const p = propose(m, reading, input, tolerances);
    if ("error" in p) {
      if (!firstError)
        firstError = { reason: failedReason[m.type], message: `the HPA was unable to compute the replica count: ${p.error}` };
      invalid++;
      return;
    }
    currentMetrics.push({
      type: m.type,
      name: m.type === "Resource" || m.type === "ContainerResource" ? m.name : m.metricName,
      value: p.value,
      ...(p.utilization !== undefined ? { utilization: p.utilization } : {}),
    });
    if (proposed === 0 || p.replicas > proposed) {
      proposed = p.replicas;
      winner = metricName(m);
    }
  });
  if (input.metrics.length === 0 || invalid >= input.metrics.length || (invalid > 0 && proposed < current)) {
    const why = firstError ?? { reason: "InvalidMetricSourceType", message: "the HPA has no metrics to compute a replica count from" };
    return keep({
      reason: "",
      currentMetrics,
      conditions: {
        ableToScale: {
          status: "True",
          reason: "SucceededGetScale",
          message: "the HPA controller was able to get the target's current scale",
        },
        scalingActive: { status: "False", ...why },
      },
    });
  }

  // First sight of this autoscaler (no recommendation kept): the current count is the first
  // recommendation, as Kubernetes' controller records it, so a new autoscaler waits out its
  // scale-down window before shrinking what it found.
  const history = input.history.recommendations.length
    ? input.history
    : { ...input.history, recommendations: [{ atMs: input.nowMs, replicas: current }] };
  const n = normalize({
    currentReplicas: current,
    proposed,
    minReplicas: min,
    maxReplicas: max,
    ...(input.behavior ? { behavior: input.behavior } : {}),
    history,
    nowMs: input.nowMs,
    ...(input.downscaleStabilizationSeconds !== undefined ? { downscaleStabilizationSeconds: input.downscaleStabilizationSeconds } : {}),
  });
  const desired = n.replicas;
  return {
    desiredReplicas: desired,
    rescale: desired !== current,
    reason: desired > current ? `${winner} above target` : desired < current ? "All metrics below target" : "",
    conditions: { ableToScale: n.ableToScale, scalingActive: active(winner), scalingLimited: n.scalingLimited },
    currentMetrics,
    history: n.history,
  };
}

/** How many replicas the fleet can place in all (the scheduler's simulation), and what is short beyond. */
export interface FleetCapacity {
  replicas: number;
  short: string;
}

/** Whether the decision scales up, so that what the fleet can place matters (ask the scheduler then only). */
export const scalesUp = (d: AutoscaleDecision, currentReplicas: number) => d.desiredReplicas > currentReplicas;

/**
 * The decision held to what the fleet can place: a scale-up stops at the fleet's capacity (never
 * below the current count), and `ScalingLimited` says what is short.
 */
export function limitToFleet(d: AutoscaleDecision, currentReplicas: number, capacity: FleetCapacity | undefined): AutoscaleDecision {
  if (!capacity || !scalesUp(d, currentReplicas) || d.desiredReplicas <= capacity.replicas) return d;
  const desired = Math.max(currentReplicas, capacity.replicas);
  return {
    ...d,
    desiredReplicas: desired,
    rescale: desired !== currentReplicas,
    conditions: {
      ...d.conditions,
      scalingLimited: {
        status: "True",
        reason: "FleetCapacity",
        message: `the fleet can place ${capacity.replicas} replica(s) in all: ${capacity.short}`,
      },
    },
  };
}
