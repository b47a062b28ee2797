/**
 * Writes one Placement per federated workload (leader only), on the kit's reconcile template.
 * Level-triggered: any change of the workload, its Placement, a member, or a snapshot that can
 * affect it re-queues it; the decision is recomputed from scratch and the Placement is applied
 * only when the replicas per cluster, the unschedulable count or the workload generation changed.
 * A change is announced on `spillway.placement.<ns>.<name>`. The Placement goes with its workload
 * (owner reference), so there is no finalizer.
 */
import type { Placement } from "@spillway/api";
import type { PlacementChanged } from "@spillway/bus";
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
import { placementFor, placementStatus, type Observed, type PlacementDecision } from "../core/placement-object.ts";
import type { SchedulingService, Workload, WorkloadKind } from "../adapters/scheduling-service.ts";
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
    decide: (w, o) => placementFor(kind, w, o, service.decide(o.inputs), service.config, deps.resyncMs ?? 60_000, controllerReference(w)),
    reserve: (_w, d) => {
      deps.count("decision", kind);
      if (d.write) service.reserved(d.desired);
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
        if (d.decision.unschedulable > 0) void deps.events.record(w, "Warning", "Unschedulable", d.decision.message);
        if (d.moved) void deps.events.record(w, d.moved.type, d.moved.reason, d.moved.note);
      }
      const total = d.desired.spec.clusters.reduce((s, c) => s + c.replicas, 0) + d.decision.unschedulable;
      const status = await updateStatus(
        placements,
        { namespace, name: d.desired.metadata.name! },
        (latest) => {
          const { status, scheduled } = placementStatus(d.decision, total, latest.metadata.generation, latest.status);
          return { ...status, conditions: setCondition(latest.status?.conditions, scheduled) };
        },
        { initial: placed.metadata.resourceVersion ? placed : undefined },
      );
      if (status.written) service.wrote(status.object);
      return { requeueAfterMs: d.requeueAfterMs };
    },
    requeueAfterMs: (_d, applied) => applied.requeueAfterMs,
  });
}

export function placementController(deps: PlacementControllerDeps, extra: ReturnType<typeof watch>[] = []): Controller<Workload> {
  const { kind } = deps;
  return new Controller<Workload>({
    name: `placement-${kind.toLowerCase()}`,
    primary: deps.workloads,
    secondary: [
      watch(deps.placementEvents, (p) => (p.spec.workloadRef.kind === kind ? [`${p.metadata.namespace}/${p.spec.workloadRef.name}`] : [])),
      ...extra,
    ],
    log: deps.log,
    concurrency: 64,
    reconcile: placementReconciler(deps),
  });
}
