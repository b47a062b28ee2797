/**
 * The FederatedDeployment's status, aggregated from its member Deployments exactly as a
 * Deployment reports: counts summed over the fleet (an unreachable member's pods count as
 * unavailable), observedGeneration only once every member has observed its spec, and the
 * `Available` / `Progressing` conditions with the Deployment controller's reasons.
 */
import type { ConditionInput, FederatedDeploymentStatus, LabelSelector } from "@spillway/api";
import { selectorString } from "@spillway/rules";
import type { FleetBudget } from "./rollout-plan.ts";

export interface MemberStatus {
  name: string;
  reachable: boolean;
  exists: boolean;
  /** The member observed its current spec and runs the current template. */
  current: boolean;
  replicas: number;
  updated: number;
  ready: number;
  available: number;
  deadlineExceeded: boolean;
}

export function fleetStatus(input: {
  generation: number;
  previousObserved: number | undefined;
  members: MemberStatus[];
  budget: FleetBudget;
  /** spec.replicas: what READY counts against (some may be placed nowhere). */
  desired: number;
  paused: boolean;
  selector: LabelSelector;
}): { status: Omit<FederatedDeploymentStatus, "conditions">; conditions: ConditionInput[]; complete: boolean } {
  const { members, budget } = input;
  const sum = (f: (m: MemberStatus) => number) => members.reduce((s, m) => s + f(m), 0);
  const replicas = sum((m) => m.replicas);
  const updated = sum((m) => (m.current ? m.updated : 0));
  const ready = sum((m) => (m.reachable ? m.ready : 0));
  const available = sum((m) => (m.reachable ? m.available : 0));
  const allObserved = members.every((m) => !m.exists || (m.reachable && m.current));
  const complete = allObserved && updated === budget.total && replicas === budget.total && available === budget.total;
  const minAvailable = budget.total - budget.unavailable;
  const conditions: ConditionInput[] = [
    available >= minAvailable
      ? { type: "Available", status: "True", reason: "MinimumReplicasAvailable", message: "Deployment has minimum availability." }
      : {
          type: "Available",
          status: "False",
          reason: "MinimumReplicasUnavailable",
          message: `Deployment does not have minimum availability (${available} of ${minAvailable} required).`,
        },
    input.paused
      ? { type: "Progressing", status: "Unknown", reason: "DeploymentPaused", message: "Deployment is paused" }
      : members.some((m) => m.deadlineExceeded)
        ? {
            type: "Progressing",
            status: "False",
            reason: "ProgressDeadlineExceeded",
            message: `rollout has exceeded its progress deadline in ${members
              .filter((m) => m.deadlineExceeded)
              .map((m) => m.name)
              .join(", ")}`,
          }
        : complete
          ? { type: "Progressing", status: "True", reason: "NewReplicaSetAvailable", message: "rollout complete across the fleet" }
          : {
              type: "Progressing",
              status: "True",
              reason: "ReplicaSetUpdated",
              message: `${updated} of ${budget.total} replicas updated across the fleet`,
            },
  ];
  return {
    status: {
      observedGeneration: allObserved ? input.generation : input.previousObserved,
      replicas,
      updatedReplicas: updated,
      readyReplicas: ready,
      readyOfDesired: `${ready}/${input.desired}`,
      availableReplicas: available,
      unavailableReplicas: Math.max(0, Math.max(replicas, budget.total) - available),
      selector: selectorString(input.selector),
      clusters: members.map((m) => ({
        name: m.name,
        replicas: m.replicas,
        updatedReplicas: m.updated,
        readyReplicas: m.ready,
        availableReplicas: m.available,
        reachable: m.reachable,
      })),
    },
    conditions,
    complete,
  };
}
