/**
 * Writes one Placement per federated workload (leader only). Level-triggered: any change of the
 * workload, its Placement, a member, or a snapshot that can affect it re-queues it; the decision is
 * recomputed from scratch and written only when the replicas per cluster, the unschedulable count or
 * the workload generation changed. A change is announced on `spillway.placement.<ns>.<name>`.
 */
import type { Counter } from "@opentelemetry/api";
import { API_VERSION, type Placement, type PlacementStatus } from "@spillway/api";
import { topics, type Bus } from "@spillway/bus";
import {
  Controller,
  controllerReference,
  deepEqual,
  isAlreadyExists,
  isConflict,
  parseKey,
  setCondition,
  updateStatus,
  type EventRecorder,
  type Informer,
  type ResourceClient,
} from "@spillway/kit";
import type { Decision } from "../core/types.ts";
import { placementName } from "@spillway/rules";
import type { SchedulingService, Workload, WorkloadKind } from "../adapters/scheduling-service.ts";

export interface PlacementControllerDeps {
  kind: WorkloadKind;
  workloads: Informer<Workload>;
  placements: ResourceClient<Placement>;
  service: SchedulingService;
  bus: Bus;
  events: EventRecorder;
  writes: Counter;
  decisions: Counter;
  resyncMs?: number;
  onError?: (key: string, err: unknown, retryInMs: number | undefined) => void;
}

/** What counts as "the decision changed": replicas per cluster, unschedulable, generation. */
const essence = (spec: Placement["spec"]) => ({
  clusters: spec.clusters.map((c) => [c.name, c.replicas]),
  unschedulable: spec.unschedulableReplicas,
  generation: spec.workloadGeneration,
});

function statusFor(
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

export function placementController(deps: PlacementControllerDeps): Controller<Workload> {
  const { kind, service, placements } = deps;
  return new Controller<Workload>({
    name: `placement-${kind.toLowerCase()}`,
    primary: deps.workloads,
    onError: deps.onError,
    // Decisions run one at a time (each takes room the next must not be offered) and record their
    // outcome before the API write, so the writes themselves can proceed in parallel — many of
    // them, since a burst of new workloads otherwise queues behind the API round trips.
    concurrency: 16,
    reconcile: async (key) => {
      const step = await service.exclusive(() => decideStep(key));
      return step && write(step);
    },
  });

  function decideStep(key: string) {
    const { namespace, name } = parseKey(key);
    const w = service.workload(kind, namespace!, name);
    // A deleted workload's Placement goes with it (owner reference).
    if (!w || w.metadata.deletionTimestamp) return Promise.resolve(undefined);
    const now = Date.now();
    const inputs = service.inputs(kind, w, now);
    const d = service.decide(inputs);
    deps.decisions.add(1, { kind });
    const spec: Placement["spec"] = {
      workloadRef: { apiVersion: API_VERSION, kind, name },
      workloadGeneration: w.metadata.generation ?? 0,
      clusters: d.clusters.map((c) => ({ name: c.name, replicas: c.replicas, reason: c.reason })),
      unschedulableReplicas: d.unschedulable,
      snapshotRevisions: Object.fromEntries(inputs.ctx.clusters.map((c) => [c.name, c.snapshotRevision])),
    };
    const pname = placementName(kind, name);
    const existing = service.placement(kind, namespace!, name);
    const action = !existing ? "create" : !deepEqual(essence(existing.spec), essence(spec)) ? "replace" : "none";
    const desired: Placement = existing
      ? { ...existing, spec }
      : {
          apiVersion: API_VERSION,
          kind: "Placement",
          metadata: {
            name: pname,
            namespace,
            labels: { "spillway.dev/workload": name, "spillway.dev/workload-kind": kind },
            ownerReferences: [controllerReference(w)],
          },
          spec,
        };
    if (action !== "none") service.wrote(desired);
    return Promise.resolve({ namespace: namespace!, name, pname, w, d, spec, inputs, now, action, desired });
  }

  async function write(step: NonNullable<Awaited<ReturnType<typeof decideStep>>>) {
    const { namespace, name, pname, w, d, spec, inputs, now, action } = step;
    let placed = step.desired;
    try {
      if (action === "create") placed = await placements.create(step.desired);
      else if (action === "replace") placed = await placements.replace(step.desired);
    } catch (err) {
      service.forget(namespace, pname);
      if (isAlreadyExists(err) || isConflict(err)) return { requeueAfterMs: 50 };
      throw err;
    }
    if (action !== "none") {
      service.wrote(placed);
      deps.writes.add(1, { kind });
      deps.bus.publish(topics.placement, { namespace, name, kind, generation: spec.workloadGeneration }, namespace, name);
      if (d.unschedulable > 0) await deps.events.record(w, "Warning", "Unschedulable", d.message);
    }
    const status = await updateStatus(
      placements,
      { namespace, name: pname },
      (latest) =>
        statusFor(d, spec.clusters.reduce((s, c) => s + c.replicas, 0) + d.unschedulable, latest.metadata.generation, latest.status),
      { initial: placed.metadata.resourceVersion ? placed : undefined },
    );
    if (status.written) service.wrote(status.object);

    // Look again when a timer in the rules runs out: failback hold-down, failover grace, resync.
    const waits = [deps.resyncMs ?? 60_000];
    if (d.failbackSinceMs !== undefined) waits.push(Math.max(100, d.failbackSinceMs + service.config.failbackHoldDownMs - now));
    for (const c of inputs.ctx.clusters) {
      if (!c.ready && (inputs.previous?.replicas[c.name] ?? 0) > 0)
        waits.push(Math.max(100, service.config.failoverGraceMs - c.notReadyForMs + 100));
    }
    if (d.unschedulable > 0 || Object.values(inputs.observed).some((o) => o.unschedulable > 0)) waits.push(5_000);
    return { requeueAfterMs: Math.min(...waits) };
  }
}
