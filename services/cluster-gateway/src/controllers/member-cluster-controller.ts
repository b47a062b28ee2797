/**
 * Writes `MemberCluster.status` (leader only), on the kit's reconcile template: Ready with a
 * reason, version, node count and capacity, from the registry's live connection. Level-triggered:
 * any change of the member, its connection or its health re-queues the member; the status is
 * recomputed whole and written only when it differs, a change of the capacity figures alone at
 * most every CAPACITY_REFRESH_MS. Deletion waits for the registry to close the
 * connection, drops the published snapshot, then releases the finalizer.
 */
import type { MemberCluster } from "@spillway/api";
import { Controller, reconciler, watch, type CachedSource, type EventSource, type ObjectClient } from "@spillway/kit";
import type { EventType } from "@spillway/kit";
import { capacityHoldMs, capacityOnlyChange, memberEvents, memberStatus, type MemberObservation } from "../core/member-status.ts";
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

type Facts = (Omit<MemberObservation, "generation" | "previous"> & { holdMs: number }) | undefined;

export function memberClusterReconciler(deps: MemberClusterControllerDeps) {
  const { registry } = deps;
  const now = deps.now ?? Date.now;
  // When each member's status was last written by this process: a restart writes at once.
  const lastWritten = new Map<string, number>();
  type Seen = { entry: MemberState | undefined; nowMs: number; lastWrittenMs: number | undefined };
  return reconciler<MemberCluster, NonNullable<MemberCluster["status"]>, Seen, Facts>({
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
    observe: async (m) => ({ entry: registry.get(m.metadata.name!), nowMs: now(), lastWrittenMs: lastWritten.get(m.metadata.name!) }),
    decide: (m, { entry, nowMs, lastWrittenMs }) => {
      if (!entry) return undefined;
      const facts = {
        configError: entry.configError,
        health: entry.connection?.health,
        kubernetesVersion: entry.connection?.kubernetesVersion,
        totals: entry.connection?.builder.totals(),
        synced: entry.connection?.synced ?? false,
        nowIso: new Date(nowMs).toISOString(),
      };
      const next = memberStatus({ ...facts, generation: m.metadata.generation, previous: m.status, fenced: m.spec.fenced });
      return { ...facts, holdMs: capacityHoldMs(m.status, next, lastWrittenMs, nowMs) };
    },
    apply: async () => undefined,
    status: (latest, facts) => {
      if (!facts) return undefined;
      const next = memberStatus({ ...facts, generation: latest.metadata.generation, previous: latest.status, fenced: latest.spec.fenced });
      // Held back, it is written by the pass the hold ends in (requeueAfterMs below).
      return facts.holdMs > 0 && capacityOnlyChange(latest.status, next) ? undefined : next;
    },
    afterStatus: async (m, facts, _applied, written) => {
      if (!written) return;
      lastWritten.set(m.metadata.name!, now());
      deps.statusWritten(m.metadata.name!);
      if (!facts) return;
      const next = memberStatus({ ...facts, generation: m.metadata.generation, previous: m.status, fenced: m.spec.fenced });
      for (const e of memberEvents(m.status, next)) void deps.events?.record(m, e.type, e.reason, e.note);
    },
    // Not registered yet: look again soon; otherwise the periodic look catches slow drifts (age).
    requeueAfterMs: (facts) => (facts ? facts.holdMs || (deps.resyncMs ?? 30_000) : 500),
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
