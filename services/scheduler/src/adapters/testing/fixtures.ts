/** Test fixtures for the shell: MemberCluster objects and cluster-gateway snapshots as the API and the bus carry them. */
import { create } from "@bufbuild/protobuf";
import type { MemberCluster } from "@spillway/api";
import { ClusterSnapshotSchema, ResourceAmountsSchema, type ClusterSnapshot } from "@spillway/proto";

/** A Ready member of `tier` at `priority`. */
export const member = (name: string, tier: "idc" | "cloud", priority: number): MemberCluster => ({
  apiVersion: "spillway.dev/v1alpha1",
  kind: "MemberCluster",
  metadata: { name, labels: { "spillway.dev/tier": tier } },
  spec: { tier, priority, kubeconfigSecretRef: { namespace: "s", name, key: "kubeconfig" } },
  status: { conditions: [{ type: "Ready", status: "True", reason: "Ready", message: "", lastTransitionTime: "2026-01-01T00:00:00Z" }] },
});

/** `nodes` nodes of 16 CPU and 64 GiB, all free. */
export const snapshot = (cluster: string, nodes: number): ClusterSnapshot =>
  create(ClusterSnapshotSchema, {
    cluster,
    revision: 1n,
    nodes: Array.from({ length: nodes }, (_, i) => ({
      name: `${cluster}-${i}`,
      free: create(ResourceAmountsSchema, { cpuMillis: 16_000n, memoryBytes: 64n * 2n ** 30n }),
      maxPods: 110,
    })),
  });
