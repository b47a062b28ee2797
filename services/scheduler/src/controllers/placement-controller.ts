/**
 * Writes one Placement per federated workload (leader only), on the kit's reconcile template.
 * Level-triggered: any change of the workload, its Placement, a member, or a snapshot that can
 * affect it re-queues it; the decision is recomputed from scratch and the Placement is applied
 * only when the replicas per cluster, the unschedulable count or the workload generation changed.
 * A change is announced on `spillway.placement.<ns>.<name>`. The Placement goes with its workload
 * (owner reference), so there is no finalizer.
 */
import { API_VERSION, type Placement, type PlacementStatus } from "@spillway/api";
import type { PlacementChanged } from "@spillway/bus";
import { deepEqual } from "@spillway/rules";
import {
  Controller,
  controllerReference,
  isAlreadyExists,
  isConflict,
  reconciler,
  setCondition,
  updateStatus,
  watch,
  type CachedSource,
  type EventType,
  type ObjectClient,
} from "@spillway/kit";
import { placementName } from "@spillway/rules";
import type { Decision } from "../core/types.ts";
import type { Inputs, SchedulingService, Workload, WorkloadKind } from "../adapters/scheduling-service.ts";
import type { Logger } from "@spillway/telemetry";

export const FIELD_MANAGER = "spillway-scheduler";

export interface PlacementControllerDeps {
  kind: WorkloadKind;
  workloads: CachedSource<Workload>;
  workloadClient: ObjectClient<Workload>;
  placements: ObjectClient<Placement>;
  /** Placement events; the controller re-queues the workload a Placement belongs to. */
  placementEvents: CachedSource<Placement>;
  service: SchedulingService;
  publish: (change: PlacementChanged) => void;
  events: { record(obj: Workload, type: EventType, reason: string, note: string): Promise<void> };
  /** Counts decisions computed and Placement writes (decision changes). */
  count: (what: "decision" | "write", kind: WorkloadKind) => void;
  resyncMs?: number;
  /** Where a failed reconcile is logged. */
  log?: Pick<Logger, "warn">;
}

/** What counts as "the decision changed": replicas per cluster, unschedulable, generation, room for a rollout. */
const essence = (spec: Placement["spec"]) => ({
  clusters: spec.clusters.map((c) => [c.name, c.replicas, c.ordinalStart]),
  unschedulable: spec.unschedulableReplicas,
  generation: spec.workloadGeneration,
  room: spec.rolloutRoom,
});

export function placementStatus(
  d: Decision,
  replicas: number,
  placementGeneration: number | undefined,
  prior: PlacementStatus | undefined,
): PlacementStatus {
  const placed = replicas - d.unschedulable;
  const phase = d.unschedulable === 0 ? "Scheduled" : placed > 0 ? "PartiallyScheduled" : "Unschedulable";
  const { failbackSince: _drop, ...rest } = prior ?? {};
  return {
    ...rest,
    observedGeneration: placementGeneration,
    phase,
    ...(d.failbackSinceMs !== undefined ? { failbackSince: new Date(d.failbackSinceMs).toISOString() } : {}),
    conditions: setCondition(prior?.conditions, {
      type: "Scheduled",
      status: d.unschedulable === 0 ? "True" : "False",
      reason: phase === "Scheduled" ? "Scheduled" : "Unschedulable",
      message: d.unschedulable === 0 ? `all ${replicas} replica(s) placed` : d.message,
      observedGeneration: placementGeneration,
    }),
  };
}

interface Observed {
  now: number;
  inputs: Inputs;
  existing: Placement | undefined;
}

interface PlacementDecision {
  decision: Decision;
  /** The Placement to hold, and whether it must be written. */
  desired: Placement;
  write: boolean;
  /** When to look again: a timer in the rules (failback hold-down, failover grace) or the resync. */
  requeueAfterMs: number;
}

/** Pure: the Placement a decision makes, and when its timers want another look. */
export function placementFor(
  kind: WorkloadKind,
  w: Workload,
  o: Observed,
  d: Decision,
  config: SchedulingService["config"],
  resyncMs: number,
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
          ownerReferences: [controllerReference(w)],
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
  return {
    decision: d,
    desired,
    write: !o.existing || !deepEqual(essence(o.existing.spec), essence(spec)),
    requeueAfterMs: Math.min(...waits),
  };
}

/** What the scheduler applies: its fields only, guarded by the resourceVersion it decided from. */
function applyBody(p: Placement): Placement {
  const { name, namespace, labels, ownerReferences, resourceVersion } = p.metadata;
  return {
    apiVersion: p.apiVersion,
    kind: p.kind,
    metadata: { name, namespace, labels, ownerReferences, ...(resourceVersion ? { resourceVersion } : {}) },
    spec: p.spec,
  };
}

export function placementReconciler(deps: PlacementControllerDeps) {
  const { kind, service, placements } = deps;
  return reconciler<Workload, unknown, Observed, PlacementDecision, { requeueAfterMs: number }>({
    cache: deps.workloads,
    client: deps.workloadClient,
    // Decisions run one at a time (each takes room the next must not be offered) and record their
    // outcome before the API write, so the writes themselves can proceed in parallel.
    serialize: (fn) => service.exclusive(fn),
    observe: async (w) => {
      const now = Date.now();
      return { now, inputs: service.inputs(kind, w, now), existing: service.placement(kind, w.metadata.namespace!, w.metadata.name!) };
    },
    decide: (w, o) => placementFor(kind, w, o, service.decide(o.inputs), service.config, deps.resyncMs ?? 60_000),
    reserve: (_w, d) => {
      deps.count("decision", kind);
      if (d.write) service.wrote(d.desired);
    },
    apply: async (w, d) => {
      const namespace = w.metadata.namespace!;
      const name = w.metadata.name!;
      let placed = d.desired;
      if (d.write) {
        try {
          // Server-side apply; an existing Placement's resourceVersion makes it a guarded write.
          placed = await placements.apply(applyBody(d.desired), FIELD_MANAGER);
        } catch (err) {
          service.forget(namespace, d.desired.metadata.name!);
          if (isAlreadyExists(err) || isConflict(err)) return { requeueAfterMs: 50 };
          throw err;
        }
        service.wrote(placed);
        deps.count("write", kind);
        deps.publish({ namespace, name, kind, generation: d.desired.spec.workloadGeneration });
        if (d.decision.unschedulable > 0) await deps.events.record(w, "Warning", "Unschedulable", d.decision.message);
      }
      const total = d.desired.spec.clusters.reduce((s, c) => s + c.replicas, 0) + d.decision.unschedulable;
      const status = await updateStatus(
        placements,
        { namespace, name: d.desired.metadata.name! },
        (latest) => placementStatus(d.decision, total, latest.metadata.generation, latest.status),
        { initial: placed.metadata.resourceVersion ? placed : undefined },
      );
      if (status.written) service.wrote(status.object);
      return { requeueAfterMs: d.requeueAfterMs };
    },
    requeueAfterMs: (_d, applied) => applied.requeueAfterMs,
  });
}

export function placementController(deps: PlacementControllerDeps, extra: ReturnType<typeof watch>[] = []): Controller<Workload> {
  const { kind, service } = deps;
  return new Controller<Workload>({
    name: `placement-${kind.toLowerCase()}`,
    primary: deps.workloads,
    secondary: [
      watch(deps.placementEvents, (p, type) => {
        service.observed(p, type === "delete");
        return p.spec.workloadRef.kind === kind ? [`${p.metadata.namespace}/${p.spec.workloadRef.name}`] : [];
      }),
      ...extra,
    ],
    log: deps.log,
    concurrency: 16,
    reconcile: placementReconciler(deps),
  });
}
