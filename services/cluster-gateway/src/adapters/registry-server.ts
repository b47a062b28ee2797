/**
 * gRPC `ClusterRegistry` (and `FleetMetrics`, on the same port), served by every replica from its own live connections: ListClusters,
 * GetSnapshot, and WatchSnapshots, which sends the current snapshot of each selected cluster first
 * and then every change (coalesced per stream to at most one message per cluster per 100 ms).
 */
import * as grpc from "@grpc/grpc-js";
import { addService, listen, ClusterRegistry, FleetMetrics, RpcError } from "@spillway/proto";
import { fleetMetricsService } from "./fleet-metrics-server.ts";
import type { Registry } from "./registry.ts";
import { snapshotMessage, summaryMessage } from "./snapshot-message.ts";

export function registryService(registry: Registry) {
  return {
    async listClusters() {
      return { clusters: registry.list().map(summaryMessage) };
    },
    async getSnapshot(req: { cluster: string }) {
      const c = registry.get(req.cluster)?.connection;
      if (!c) throw new RpcError(grpc.status.NOT_FOUND, `cluster ${req.cluster} is not registered or has no usable kubeconfig`);
      return { snapshot: snapshotMessage(c.builder.snapshot(Date.now())) };
    },
    async *watchSnapshots(req: { clusters: string[] }, call: grpc.ServerWritableStream<unknown, unknown>) {
      const wanted = (name: string) => req.clusters.length === 0 || req.clusters.includes(name);
      const sent = new Map<string, number>();
      let wake: (() => void) | undefined;
      const dirty = new Set<string>(
        registry
          .list()
          .map((e) => e.member.metadata.name!)
          .filter(wanted),
      );
      const listener = (name: string) => {
        if (!wanted(name)) return;
        dirty.add(name);
        wake?.();
      };
      registry.onChange(listener);
      const cancelled = new Promise<void>((r) => call.once("cancelled", () => r()));
      try {
        while (!call.cancelled) {
          for (const name of [...dirty]) {
            dirty.delete(name);
            const c = registry.get(name)?.connection;
            if (!c || !c.synced || sent.get(name) === c.builder.revision) continue;
            sent.set(name, c.builder.revision);
            yield { snapshot: snapshotMessage(c.builder.snapshot(Date.now())) };
          }
          await Promise.race([new Promise<void>((r) => (wake = r)), cancelled]);
          await new Promise((r) => setTimeout(r, 100));
        }
      } finally {
        registry.offChange(listener);
      }
    },
  };
}

/** `metricsIntervalMs`: how often members' metrics are read, and how long a Pods metric read is shared. */
export async function serveRegistry(
  registry: Registry,
  addr: string,
  metricsIntervalMs?: number,
): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server();
  addService(server, ClusterRegistry, registryService(registry));
  addService(server, FleetMetrics, fleetMetricsService(registry, metricsIntervalMs === undefined ? {} : { shareMs: metricsIntervalMs }));
  const port = await listen(server, addr);
  return { server, port };
}
