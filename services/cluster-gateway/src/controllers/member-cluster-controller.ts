/**
 * Writes `MemberCluster.status` (leader only): Ready with a reason, version, node count and
 * capacity, from the registry's live connection. Level-triggered: any change of the member, its
 * connection or its health re-queues the member; the status is recomputed whole and written only
 * when it differs. Deletion closes the connection, drops the published snapshot, then releases
 * the finalizer.
 */
import type { Counter } from "@opentelemetry/api";
import type { MemberCluster } from "@spillway/api";
import { Controller, ensureFinalizer, isNotFound, removeFinalizer, updateStatus, type Informer, type ResourceClient } from "@spillway/kit";
import type { Registry } from "../adapters/registry.ts";
import { memberStatus } from "../core/member-status.ts";

export const FINALIZER = "spillway.dev/cluster-gateway";

export interface MemberClusterControllerDeps {
  client: ResourceClient<MemberCluster>;
  informer: Informer<MemberCluster>;
  registry: Registry;
  dropSnapshot: (name: string) => Promise<void>;
  statusWrites: Counter;
  resyncMs?: number;
  onError?: (key: string, err: unknown, retryInMs: number | undefined) => void;
}

export function memberClusterController(deps: MemberClusterControllerDeps): Controller<MemberCluster> {
  const { client, informer, registry } = deps;
  return new Controller<MemberCluster>({
    name: "member-cluster",
    primary: informer,
    onError: deps.onError,
    reconcile: async (name) => {
      let member: MemberCluster;
      try {
        member = await client.get({ name });
      } catch (err) {
        if (isNotFound(err)) return;
        throw err;
      }
      if (member.metadata.deletionTimestamp) {
        // The registry closes the connection when it sees the deletion; wait for it.
        if (registry.get(name)) return { requeueAfterMs: 200 };
        await deps.dropSnapshot(name);
        await removeFinalizer(client, member, FINALIZER);
        return;
      }
      member = await ensureFinalizer(client, member, FINALIZER);
      const entry = registry.get(name);
      if (!entry) return { requeueAfterMs: 500 };
      const c = entry.connection;
      const { written } = await updateStatus(
        client,
        { name },
        (latest) =>
          memberStatus({
            generation: latest.metadata.generation,
            previous: latest.status,
            configError: entry.configError,
            health: c?.health,
            kubernetesVersion: c?.kubernetesVersion,
            totals: c?.builder.totals(),
            synced: c?.synced ?? false,
            nowIso: new Date().toISOString(),
          }),
        { initial: member },
      );
      if (written) deps.statusWrites.add(1, { cluster: name });
      return { requeueAfterMs: deps.resyncMs ?? 30_000 };
    },
  });
}
