/**
 * A workload's `Scheduled` condition, mirrored from its Placement: the scheduler decides where
 * replicas go, but users, `kubectl wait` and Argo CD's health checks look at the workload, and a
 * replica that fits nowhere must be visible there, not only in an object they may not know about.
 */
import type { Placement } from "@spillway/api";

export function scheduledCondition(placement: Pick<Placement, "spec" | "status"> | undefined) {
  if (!placement)
    return {
      type: "Scheduled",
      status: "Unknown" as const,
      reason: "WaitingForPlacement",
      message: "the scheduler has not placed this workload yet",
    };
  const unschedulable = placement.spec.unschedulableReplicas ?? 0;
  if (unschedulable === 0) return { type: "Scheduled", status: "True" as const, reason: "Scheduled", message: "every replica is placed" };
  const why = placement.status?.conditions?.find((c) => c.type === "Scheduled" && c.status === "False")?.message;
  return {
    type: "Scheduled",
    status: "False" as const,
    reason: "Unschedulable",
    message: why || `${unschedulable} replica(s) fit nowhere`,
  };
}
