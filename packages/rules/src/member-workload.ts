/**
 * The contract between the member-workload shell (`@spillway/member-workload`) and the pure cores
 * that decide for a workload kind (fleet-root's propagation, the stateful-orchestrator's
 * orchestration): what the shell observes of each member, and what a core decides to write there.
 * One shape for both kinds, so fenced members, someone else's object of the same name, a restart
 * and a refused write mean the same thing for a Deployment and for a StatefulSet.
 */
import type { ConditionInput, Placement } from "@spillway/api";
import type { MemberInfo } from "./member-template.ts";
import { memberConflictCondition } from "./member-conflict.ts";
import { scheduledCondition } from "./scheduled-condition.ts";
import type { MemberScaling } from "./member-scaling.ts";

/** What the shell knows of one member for one workload, before the kind adds its objects. */
export interface MemberSight {
  name: string;
  /** The MemberCluster's name and labels; undefined when the MemberCluster is gone. */
  info: MemberInfo | undefined;
  /** The gateway reports the member Ready. */
  ready: boolean;
  /** Declared gone for good (`spec.fenced`): never connected, written or waited for. */
  fenced: boolean;
  /** The controller has a client and a watch on the member. */
  connected: boolean;
  /** That watch has listed the member since the controller started. */
  synced: boolean;
  /**
   * Where no managed object is cached and one is to be made, what a look-up found there: none (it
   * may be created, and nothing of the workload runs there), ours though the watch has not brought
   * it yet (it may be written, but what it runs is unknown), someone else's of that name (never
   * taken over), or nothing, because the look-up failed (no write there this pass). Undefined
   * where no look-up was due.
   */
  lookup?: "absent" | "ours" | "foreign" | "failed";
}

/** Whether a member object may be made (or written) where none is cached, after its look-up. */
export const mayCreate = (lookup: MemberSight["lookup"]): boolean => lookup === "absent" || lookup === "ours";

/** An object a core asks to be applied in a member (server-side apply, as the controller's field manager). */
export interface MemberObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; labels?: Record<string, string>; annotations?: Record<string, string> };
}

/**
 * One write a core decides for one member: apply the workload's member object (after the objects
 * it needs there, `needs`, each made only where none of that name exists), or delete it. Once the
 * write has succeeded, `event` is recorded on the workload, and `scaled` joins the pass's one
 * ScalingMember Event (what `kubectl describe` should show of it, as a Deployment shows
 * ScalingReplicaSet).
 */
export type MemberWrite<O extends MemberObject = MemberObject> = { cluster: string; event?: WorkloadEvent; scaled?: MemberScaling } & (
  | { action: "apply"; object: O; create: boolean; needs?: MemberObject[] }
  /** Deletes the workload's member object, or `ref`: another object of the workload's namespace (a StatefulSet's volume claim). */
  | { action: "delete"; ref?: { apiVersion: string; kind: string; name: string } }
);

/** A Kubernetes Event a core decides to record on its workload. */
export interface WorkloadEvent {
  type: "Normal" | "Warning";
  reason: string;
  note: string;
}

/** What every member-workload core returns; a kind may add fields of its own. */
export interface WorkloadDecision<S, O extends MemberObject = MemberObject> {
  /** Members that may hold the workload and have not been listed since start: nothing is written while any remain. */
  unseen: string[];
  /** Writes in order, each round in parallel. */
  rounds: MemberWrite<O>[][];
  /** Members holding an object of the workload's name that the controller does not manage. */
  conflicts: string[];
  /** Something is waiting (a look-up failed, budget waits to be given): look again soon. */
  retrySoon: boolean;
  /** The status to write; undefined holds the current one. */
  status: { status: S; conditions: ConditionInput[]; complete: boolean } | undefined;
  events: WorkloadEvent[];
}

/** The member-facing conditions every member workload reports beside its kind's own. */
export function memberWorkloadConditions(input: {
  /** The member object's kind, e.g. `Deployment`. */
  memberKind: string;
  namespace: string;
  name: string;
  conflicts: readonly string[];
  placement: Pick<Placement, "spec" | "status"> | undefined;
  /** What members refused, one line per member. */
  writeFailures: readonly string[];
}): ConditionInput[] {
  return [
    memberConflictCondition(input.memberKind, input.namespace, input.name, input.conflicts),
    scheduledCondition(input.placement),
    input.writeFailures.length
      ? { type: "MemberWriteFailed", status: "True", reason: "MemberRefusedWrite", message: input.writeFailures.join("; ") }
      : { type: "MemberWriteFailed", status: "False", reason: "WritesApplied", message: "" },
  ];
}

/** The members a workload's controller must watch: placed, held before, or Ready — never fenced. */
export function watchedMembers<M extends { name: string; fenced: boolean; ready: boolean }>(
  members: readonly M[],
  mayHold: (name: string) => boolean,
): M[] {
  return members.filter((m) => !m.fenced && (mayHold(m.name) || m.ready));
}

/**
 * The warnings `kubectl describe` of a workload should show for what keeps it out of a member:
 * someone else's object of its name there, objects of the member's own where the host holds the
 * sources, a write the member refused. Recorded each pass they hold; the recorder folds repeats.
 */
export function memberProblemEvents(input: {
  memberKind: string;
  name: string;
  conflicts: readonly string[];
  dependencyConflicts: ReadonlyMap<string, { conflicts: readonly string[] }>;
  writeFailures: readonly string[];
}): WorkloadEvent[] {
  return [
    ...input.conflicts.map((c) => ({
      type: "Warning" as const,
      reason: "MemberConflict",
      note: `${c} holds a ${input.memberKind} ${input.name} that Spillway does not manage: nothing is written there`,
    })),
    ...[...input.dependencyConflicts]
      .filter(([, v]) => v.conflicts.length > 0)
      .map(([c, v]) => ({
        type: "Warning" as const,
        reason: "DependencyConflict",
        note: `${c} holds ${v.conflicts.join(", ")} of its own: the workload stays out of ${c} until they are renamed or deleted there`,
      })),
    ...input.writeFailures.map((f) => ({ type: "Warning" as const, reason: "MemberWriteFailed", note: f })),
  ];
}
