/**
 * From the metrics' proposal to the replicas to write, as Kubernetes' HPA does it
 * (`horizontal.go`): the stabilization windows over recent recommendations, then the scaling
 * policies' rate limits and the min/max bounds, with the `AbleToScale` / `ScalingLimited`
 * reasons Kubernetes reports. Without `behavior` the legacy rules apply (a 5-minute scale-down
 * window, scale-up at most to max(2 × current, 4)).
 *
 * The history (recommendations and scale events) is plain data the caller keeps — in the
 * FederatedHPA's status — so a restarted autoscaler neither forgets a stabilization window nor
 * scales down early. Pure.
 */
import type { ConditionInput } from "@spillway/api";

export type PolicyType = "Pods" | "Percent";
export type SelectPolicy = "Max" | "Min" | "Disabled";

export interface ScalingPolicy {
  type: PolicyType;
  value: number;
  periodSeconds: number;
}

export interface ScalingRules {
  stabilizationWindowSeconds?: number;
  selectPolicy?: SelectPolicy;
  policies?: ScalingPolicy[];
  tolerance?: number;
}

export interface Behavior {
  scaleUp?: ScalingRules;
  scaleDown?: ScalingRules;
}

/** Kubernetes' defaults for a behavior that is set (`GenerateHPAScaleUpRules` / `…ScaleDownRules`). */
export function withDefaults(b: Behavior, downscaleStabilizationSeconds = 300): Required<Behavior> {
  const up = b.scaleUp ?? {};
  const down = b.scaleDown ?? {};
  return {
    scaleUp: {
      stabilizationWindowSeconds: up.stabilizationWindowSeconds ?? 0,
      selectPolicy: up.selectPolicy ?? "Max",
      policies: up.policies ?? [
        { type: "Pods", value: 4, periodSeconds: 15 },
        { type: "Percent", value: 100, periodSeconds: 15 },
      ],
      ...(up.tolerance !== undefined ? { tolerance: up.tolerance } : {}),
    },
    scaleDown: {
      stabilizationWindowSeconds: down.stabilizationWindowSeconds ?? downscaleStabilizationSeconds,
      selectPolicy: down.selectPolicy ?? "Max",
      policies: down.policies ?? [{ type: "Percent", value: 100, periodSeconds: 15 }],
      ...(down.tolerance !== undefined ? { tolerance: down.tolerance } : {}),
    },
  };
}

export interface Recommendation {
  atMs: number;
  replicas: number;
}

export interface ScaleEvent {
  atMs: number;
  /** Replicas added (scale-up events) or removed (scale-down events), positive. */
  change: number;
}

export interface History {
  recommendations: Recommendation[];
  scaleUpEvents: ScaleEvent[];
  scaleDownEvents: ScaleEvent[];
}

export const emptyHistory = (): History => ({ recommendations: [], scaleUpEvents: [], scaleDownEvents: [] });

export interface NormalizeInput {
  currentReplicas: number;
  /** The metrics' proposal (the largest of them). */
  proposed: number;
  minReplicas: number;
  maxReplicas: number;
  /** undefined: the legacy rules (no `behavior` in the spec). */
  behavior?: Behavior;
  history: History;
  nowMs: number;
  /** `--horizontal-pod-autoscaler-downscale-stabilization`, 300 s by default. */
  downscaleStabilizationSeconds?: number;
}

/** A condition whose type is the role it is returned in (`ableToScale`, `scalingLimited`, …). */
export type Condition = Omit<ConditionInput, "type">;

export interface Normalized {
  replicas: number;
  ableToScale: Condition;
  scalingLimited: Condition;
  /** The history to keep, with this pass recorded (scale events are recorded by `recordScale`). */
  history: History;
}

const within = (atMs: number, nowMs: number, seconds: number) => atMs > nowMs - seconds * 1000;

/** Replicas changed within the period: the sum of the scale events younger than it. */
const changedWithin = (events: ScaleEvent[], periodSeconds: number, nowMs: number) =>
  events.filter((e) => within(e.atMs, nowMs, periodSeconds)).reduce((s, e) => s + e.change, 0);

export function scaleUpLimit(current: number, events: ScaleEvent[], rules: ScalingRules, nowMs: number): number {
  if (rules.selectPolicy === "Disabled") return current;
  const pick = rules.selectPolicy === "Min" ? Math.min : Math.max;
  let result = rules.selectPolicy === "Min" ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
  for (const p of rules.policies ?? []) {
    const periodStart = current - changedWithin(events, p.periodSeconds, nowMs);
    const proposed = p.type === "Pods" ? periodStart + p.value : Math.ceil(periodStart * (1 + p.value / 100));
    result = pick(result, proposed);
  }
  return result;
}

export function scaleDownLimit(current: number, events: ScaleEvent[], rules: ScalingRules, nowMs: number): number {
  if (rules.selectPolicy === "Disabled") return current;
  // Max picks the policy allowing the biggest change: the lowest limit.
  const pick = rules.selectPolicy === "Min" ? Math.max : Math.min;
  let result = rules.selectPolicy === "Min" ? Number.MIN_SAFE_INTEGER : Number.MAX_SAFE_INTEGER;
  for (const p of rules.policies ?? []) {
    const periodStart = current + changedWithin(events, p.periodSeconds, nowMs);
    const proposed = p.type === "Pods" ? periodStart - p.value : Math.trunc(periodStart * (1 - p.value / 100));
    result = pick(result, proposed);
  }
  return result;
}

/**
 * The recommendations a window still needs, with this one: those older than the window go, and so
 * does an older recommendation of the same count, since the newer one stands in for it in every
 * window check to come. The history stays as long as the distinct counts recommended within the
 * window, however often the autoscaler runs.
 */
function remember(history: Recommendation[], windowSeconds: number, replicas: number, nowMs: number): Recommendation[] {
  return [...history.filter((r) => within(r.atMs, nowMs, windowSeconds) && r.replicas !== replicas), { atMs: nowMs, replicas }];
}

export function normalize(input: NormalizeInput): Normalized {
  return input.behavior ? withBehavior(input, withDefaults(input.behavior, input.downscaleStabilizationSeconds)) : legacy(input);
}

function withBehavior(input: NormalizeInput, b: Required<Behavior>): Normalized {
  const { currentReplicas: current, proposed, nowMs } = input;
  const upWindow = b.scaleUp.stabilizationWindowSeconds ?? 0;
  const downWindow = b.scaleDown.stabilizationWindowSeconds ?? 0;
  // Stabilization: scale up no further than the lowest recent recommendation, down no further than the highest.
  let up = proposed;
  let down = proposed;
  for (const r of input.history.recommendations) {
    if (within(r.atMs, nowMs, upWindow)) up = Math.min(up, r.replicas);
    if (within(r.atMs, nowMs, downWindow)) down = Math.max(down, r.replicas);
  }
  let stabilized = current;
  if (stabilized < up) stabilized = up;
  if (stabilized > down) stabilized = down;
  const longest = Math.max(upWindow, downWindow);
  const recommendations = remember(input.history.recommendations, longest, proposed, nowMs);
  const ableToScale: Condition =
    stabilized !== proposed
      ? stabilized > proposed
        ? {
            status: "True",
            reason: "ScaleDownStabilized",
            message: "recent recommendations were higher than current one, applying the highest recent recommendation",
          }
        : {
            status: "True",
            reason: "ScaleUpStabilized",
            message: "recent recommendations were lower than current one, applying the lowest recent recommendation",
          }
      : { status: "True", reason: "ReadyForNewScale", message: "recommended size matches current size" };

  let replicas = stabilized;
  let limited: Condition = { status: "False", reason: "DesiredWithinRange", message: "the desired count is within the acceptable range" };
  if (stabilized > current) {
    const limit = Math.max(current, scaleUpLimit(current, input.history.scaleUpEvents, b.scaleUp, nowMs));
    const [maxAllowed, reason, message] =
      input.maxReplicas > limit
        ? [limit, "ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate"]
        : [input.maxReplicas, "TooManyReplicas", "the desired replica count is more than the maximum replica count"];
    if (stabilized > maxAllowed) {
      replicas = maxAllowed;
      limited = { status: "True", reason, message };
    }
  } else if (stabilized < current) {
    const limit = Math.min(current, scaleDownLimit(current, input.history.scaleDownEvents, b.scaleDown, nowMs));
    const [minAllowed, reason, message] =
      input.minReplicas < limit
        ? [limit, "ScaleDownLimit", "the desired replica count is decreasing faster than the maximum scale rate"]
        : [input.minReplicas, "TooFewReplicas", "the desired replica count is less than the minimum replica count"];
    if (stabilized < minAllowed) {
      replicas = minAllowed;
      limited = { status: "True", reason, message };
    }
  }
  return { replicas, ableToScale, scalingLimited: limited, history: { ...input.history, recommendations } };
}

/** Without `behavior`: the highest recommendation of the downscale window, then max(2 × current, 4) up and the bounds. */
function legacy(input: NormalizeInput): Normalized {
  const { currentReplicas: current, proposed, nowMs } = input;
  const window = input.downscaleStabilizationSeconds ?? 300;
  let stabilized = proposed;
  for (const r of input.history.recommendations) if (within(r.atMs, nowMs, window)) stabilized = Math.max(stabilized, r.replicas);
  const recommendations = remember(input.history.recommendations, window, proposed, nowMs);
  const ableToScale: Condition =
    stabilized !== proposed
      ? {
          status: "True",
          reason: "ScaleDownStabilized",
          message: "recent recommendations were higher than current one, applying the highest recent recommendation",
        }
      : { status: "True", reason: "ReadyForNewScale", message: "recommended size matches current size" };
  const upLimit = Math.max(2 * current, 4);
  const [maxAllowed, reason, message] =
    input.maxReplicas > upLimit
      ? [upLimit, "ScaleUpLimit", "the desired replica count is increasing faster than the maximum scale rate"]
      : [input.maxReplicas, "TooManyReplicas", "the desired replica count is more than the maximum replica count"];
  let replicas = stabilized;
  let limited: Condition = { status: "False", reason: "DesiredWithinRange", message: "the desired count is within the acceptable range" };
  if (stabilized < input.minReplicas) {
    replicas = input.minReplicas;
    limited = { status: "True", reason: "TooFewReplicas", message: "the desired replica count is less than the minimum replica count" };
  } else if (stabilized > maxAllowed) {
    replicas = maxAllowed;
    limited = { status: "True", reason, message };
  }
  return { replicas, ableToScale, scalingLimited: limited, history: { ...input.history, recommendations } };
}

/** Records a rescale as a scale event, dropping events older than the longest policy period. */
export function recordScale(history: History, from: number, to: number, nowMs: number, behavior?: Behavior): History {
  const b = withDefaults(behavior ?? {});
  const keep = (events: ScaleEvent[], rules: ScalingRules) => {
    const longest = Math.max(0, ...(rules.policies ?? []).map((p) => p.periodSeconds));
    return events.filter((e) => within(e.atMs, nowMs, longest));
  };
  const up = keep(history.scaleUpEvents, b.scaleUp);
  const down = keep(history.scaleDownEvents, b.scaleDown);
  if (to > from) up.push({ atMs: nowMs, change: to - from });
  if (to < from) down.push({ atMs: nowMs, change: from - to });
  return { ...history, scaleUpEvents: up, scaleDownEvents: down };
}
