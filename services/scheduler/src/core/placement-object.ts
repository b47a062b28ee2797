/**
 * The Placement a decision makes — replicas (or ordinal ranges) per member with a reason each, the
 * unschedulable count, the snapshot revisions it was computed from, room for a rollout — whether it
 * must be written (only when the decision changed), when the scheduler's timers want another look,
 * and the Placement's status (phase and the `Scheduled` condition). Pure: the controller writes it.
 */
import type { WorkloadEvent } from "@spillway/rules";
import { placementEvent } from "./placement-event.ts";
import {
  API_VERSION,
  type ConditionInput,
  type FederatedDeployment,
  type FederatedStatefulSet,
  type Placement,
  type PlacementStatus,
} from "@spillway/api";
import { deepEqual, placementName, type WorkloadKind } from "@spillway/rules";
import type { PassContext } from "./decide.ts";
import type { OrdinalRequest } from "./ordinal-placement.ts";
import type { Decision, Observed as MemberObserved, PreviousPlacement, SchedulerConfig, WorkloadRequest } from "./types.ts";

export type Workload = FederatedDeployment | FederatedStatefulSet;

/** What one decision is computed from. */
export interface Inputs {
  request: WorkloadRequest;
  observed: Record<string, MemberObserved>;
  previous: PreviousPlacement | undefined;
  /** For a FederatedStatefulSet: ranges instead of counts. */
  ordinals?: OrdinalRequest;
  ctx: PassContext;
}

type OwnerReference = NonNullable<Placement["metadata"]["ownerReferences"]>[number];

export interface Observed {
  now: number;
  inputs: Inputs;
  existing: Placement | undefined;
}

export interface PlacementDecision {
  decision: Decision;
  /** The Placement to hold, and whether it must be written. */
  desired: Placement;
  write: boolean;
  /** What moved, for the workload's events: recorded once the write succeeded. */
  moved?: WorkloadEvent;
  /** When to look again: a timer in the rules (failback hold-down, failover grace) or the resync. */
  requeueAfterMs: number;
}

/** What counts as "the decision changed": replicas per cluster, unschedulable, generation, room for a rollout. */
const essence = (spec: Placement["spec"]) => ({
  clusters: spec.clusters.map((c) => [c.name, c.replicas, c.ordinalStart]),
  unschedulable: spec.unschedulableReplicas,
  generation: spec.workloadGeneration,
  room: spec.rolloutRoom,
});

/** The Placement's status; the condition is returned apart, for the writer to keep its transition time. */
export function placementStatus(
  d: Decision,
  replicas: number,
  placementGeneration: number | undefined,
  prior: PlacementStatus | undefined,
): { status: Omit<PlacementStatus, "conditions">; scheduled: ConditionInput } {
  const placed = replicas - d.unschedulable;
  const phase = d.unschedulable === 0 ? "Scheduled" : placed > 0 ? "PartiallyScheduled" : "Unschedulable";
  const { failbackSince: _drop, ...rest } = prior ?? {};
  return {
    status: {
      ...rest,
      observedGeneration: placementGeneration,
      phase,
      ...(d.failbackSinceMs !== undefined ? { failbackSince: new Date(d.failbackSinceMs).toISOString() } : {}),
    },
    scheduled: {
      type: "Scheduled",
      status: d.unschedulable === 0 ? "True" : "False",
      reason: phase === "Scheduled" ? "Scheduled" : "Unschedulable",
      message: d.unschedulable === 0 ? `all ${replicas} replica(s) placed` : d.message,
      observedGeneration: placementGeneration,
    },
  };
}

/** The Placement a decision makes, whether to write it, and when its timers want another look. */
export function placementFor(
  kind: WorkloadKind,
  w: Workload,
  o: Observed,
  d: Decision,
  config: Pick<SchedulerConfig, "failbackHoldDownMs" | "failoverGraceMs">,
  resyncMs: number,
  /** The workload as the Placement's controlling owner. */
  owner: OwnerReference,
): PlacementDecision {
  const name = w.metadata.name!;
  const spec: Placement["spec"] = {
    workloadRef: { apiVersion: API_VERSION, kind, name },
    workloadGeneration: w.metadata.generation ?? 0,
    clusters: d.clusters.map((c) => ({
      name: c.name,
      replicas: c.replicas,
      ...(c.ordinalStart !== undefined ? { ordinalStart: c.ordinalStart } : {}),
      reason: c.reason,
    })),
    unschedulableReplicas: d.unschedulable,
    snapshotRevisions: Object.fromEntries(o.inputs.ctx.clusters.map((c) => [c.name, c.snapshotRevision])),
    ...(d.room ? { rolloutRoom: d.room } : {}),
  };
  const desired: Placement = o.existing
    ? { ...o.existing, spec }
    : {
        apiVersion: API_VERSION,
        kind: "Placement",
        metadata: {
          name: placementName(kind, name),
          namespace: w.metadata.namespace,
          labels: { "spillway.dev/workload": name, "spillway.dev/workload-kind": kind },
          ownerReferences: [owner],
        },
        spec,
      };
  const waits = [resyncMs];
  if (d.failbackSinceMs !== undefined) waits.push(Math.max(100, d.failbackSinceMs + config.failbackHoldDownMs - o.now));
  for (const c of o.inputs.ctx.clusters) {
    if (!c.ready && (o.inputs.previous?.replicas[c.name] ?? 0) > 0)
      waits.push(Math.max(100, config.failoverGraceMs - c.notReadyForMs + 100));
  }
  if (d.unschedulable > 0 || Object.values(o.inputs.observed).some((x) => x.unschedulable > 0)) waits.push(5_000);
  const moved = placementEvent(o.existing?.spec.clusters, spec.clusters);
  return {
    decision: d,
    desired,
    write: !o.existing || !deepEqual(essence(o.existing.spec), essence(spec)),
    ...(moved ? { moved } : {}),
    requeueAfterMs: Math.min(...waits),
  };
}
