/**
 * Writes `MemberCluster.status` (leader only), on the kit's reconcile template: Ready with a
 * reason, version, node count and capacity, from the registry's live connection. Level-triggered:
 * any change of the member, its connection or its health re-queues the member; the status is
 * recomputed whole and written only when it differs. Deletion waits for the registry to close the
 * connection, drops the published snapshot, then releases the finalizer.
 */
import type { MemberCluster } from "@spillway/api";
import { Controller, reconciler, watch, type CachedSource, type EventSource, type ObjectClient } from "@spillway/kit";
import type { EventType } from "@spillway/kit";
import { memberEvents, memberStatus, type MemberObservation } from "../core/member-status.ts";
import type { Totals } from "../core/snapshot-builder.ts";
import type { Logger } from "@spillway/telemetry";

export const FINALIZER = "spillway.dev/cluster-gateway";

/** What the controller reads of the registry's entry for a member. */
export interface MemberState {
  configError?: MemberObservation["configError"];
  connection?: {
    health?: MemberObservation["health"];
    kubernetesVersion?: string;
    synced: boolean;
    builder: { totals(): Totals };
  };
}

export interface MemberClusterControllerDeps {
  client: ObjectClient<MemberCluster>;
  cache: CachedSource<MemberCluster>;
  registry: { get(name: string): MemberState | undefined };
  /** Names of members whose connection or health changed. */
  changes: EventSource<string>;
  dropSnapshot: (name: string) => Promise<void>;
  statusWritten: (name: string) => void;
  /** Where the member's Ready changes are recorded as Events. */
  events?: { record(obj: MemberCluster, type: EventType, reason: string, note: string): Promise<void> };
  resyncMs?: number;
  /** Where a failed reconcile is logged. */
  log?: Pick<Logger, "warn">;
  now?: () => number;
}

type Facts = Omit<MemberObservation, "generation" | "previous"> | undefined;

export function memberClusterReconciler(deps: MemberClusterControllerDeps) {
  const { registry } = deps;
  const now = deps.now ?? Date.now;
  return reconciler<MemberCluster, NonNullable<MemberCluster["status"]>, { entry: MemberState | undefined; nowMs: number }, Facts>({
    cache: deps.cache,
    client: deps.client,
    finalizer: FINALIZER,
    // The registry closes the connection when it sees the deletion; wait for it.
    finalize: async (m) => {
      if (registry.get(m.metadata.name!)) return false;
      await deps.dropSnapshot(m.metadata.name!);
      return true;
    },
    finalizeRetryMs: 200,
    // The clock is read here, with the rest of the world: decide stays a function of what it is given.
    observe: async (m) => ({ entry: registry.get(m.metadata.name!), nowMs: now() }),
    decide: (_m, { entry, nowMs }) =>
      entry && {
        configError: entry.configError,
        health: entry.connection?.health,
        kubernetesVersion: entry.connection?.kubernetesVersion,
        totals: entry.connection?.builder.totals(),
        synced: entry.connection?.synced ?? false,
        nowIso: new Date(nowMs).toISOString(),
      },
    apply: async () => undefined,
    status: (latest, facts) =>
      facts && memberStatus({ ...facts, generation: latest.metadata.generation, previous: latest.status, fenced: latest.spec.fenced }),
    afterStatus: async (m, facts, _applied, written) => {
      if (!written) return;
      deps.statusWritten(m.metadata.name!);
      if (!facts) return;
      const next = memberStatus({ ...facts, generation: m.metadata.generation, previous: m.status, fenced: m.spec.fenced });
      for (const e of memberEvents(m.status, next)) await deps.events?.record(m, e.type, e.reason, e.note);
    },
    // Not registered yet: look again soon; otherwise the periodic look catches slow drifts (age).
    requeueAfterMs: (facts) => (facts ? (deps.resyncMs ?? 30_000) : 500),
  });
}

export function memberClusterController(deps: MemberClusterControllerDeps): Controller<MemberCluster> {
  return new Controller<MemberCluster>({
    name: "member-cluster",
    primary: deps.cache,
    secondary: [watch(deps.changes, (name) => [name], 200)],
    log: deps.log,
    reconcile: memberClusterReconciler(deps),
  });
}
