/**
 * What a FederatedHPA's status says after a pass, as the Kubernetes HPA controller says it: the
 * conditions `AbleToScale`, `ScalingActive` and `ScalingLimited` with its reasons, the current and
 * desired counts, `currentMetrics`, and the history that lets a restarted autoscaler keep its
 * stabilization windows and rate limits (a scale that happened is recorded in it).
 */
import type { ConditionInput, FederatedHPA, FederatedHPAStatus } from "@spillway/api";
import type { AutoscaleDecision, MetricSource } from "./autoscale.ts";
import { historyToStatus } from "./metric-spec.ts";
import { metricStatuses, targetsSummary } from "./metric-status.ts";
import { recordScale, type Behavior } from "./scaling-behavior.ts";
import type { TargetScale } from "./target.ts";

/** What a pass found: no target to scale, a spec it cannot read, or a decision. */
export type Pass =
  | { kind: "noTarget"; reason: string; message: string }
  | { kind: "badSpec"; message: string }
  | { kind: "decided"; target: TargetScale; sources: MetricSource[]; behavior?: Behavior; decision: AutoscaleDecision };

/** What became of the decision: the target rescaled, or an error that kept it from being. */
export interface Outcome {
  scaled: boolean;
  error?: string;
  nowMs: number;
}

export function autoscalerStatus(
  latest: Pick<FederatedHPA, "metadata" | "spec">,
  pass: Pass,
  outcome: Outcome,
): { status: Omit<FederatedHPAStatus, "conditions">; conditions: ConditionInput[] } {
  const ref = latest.spec.scaleTargetRef;
  const base = { observedGeneration: latest.metadata.generation ?? 0, reference: `${ref.kind}/${ref.name}` };
  if (pass.kind === "noTarget")
    return { status: base, conditions: [{ type: "AbleToScale", status: "False", reason: pass.reason, message: pass.message }] };
  if (pass.kind === "badSpec")
    return {
      status: base,
      conditions: [
        {
          type: "ScalingActive",
          status: "False",
          reason: "InvalidMetricSourceType",
          message: `the HPA was unable to compute the replica count: ${pass.message}`,
        },
      ],
    };
  const r = pass.decision;
  const { ableToScale, scalingActive, scalingLimited } = r.conditions;
  const conditions: ConditionInput[] = [];
  if (outcome.error) conditions.push({ type: "AbleToScale", status: "False", reason: "FailedUpdateScale", message: outcome.error });
  else if (outcome.scaled)
    conditions.push({
      type: "AbleToScale",
      status: "True",
      reason: "SucceededRescale",
      message: `the HPA controller was able to update the target scale to ${r.desiredReplicas}`,
    });
  else if (ableToScale) conditions.push({ type: "AbleToScale", ...ableToScale });
  conditions.push({ type: "ScalingActive", ...scalingActive });
  if (scalingLimited) conditions.push({ type: "ScalingLimited", ...scalingLimited });
  const current = pass.target.specReplicas;
  const history = outcome.scaled ? recordScale(r.history, current, r.desiredReplicas, outcome.nowMs, pass.behavior) : r.history;
  return {
    status: {
      ...base,
      currentReplicas: pass.target.statusReplicas,
      desiredReplicas: outcome.scaled || !r.rescale ? r.desiredReplicas : current,
      ...(outcome.scaled ? { lastScaleTime: new Date(outcome.nowMs).toISOString() } : {}),
      ...(r.currentMetrics.length > 0 || scalingActive.status === "True"
        ? { currentMetrics: metricStatuses(pass.sources, r.currentMetrics) }
        : {}),
      targets: targetsSummary(pass.sources, r.currentMetrics),
      history: historyToStatus(history),
    },
    conditions,
  };
}
