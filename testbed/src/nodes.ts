/**
 * The kwok Node objects of a member cluster. Each carries real allocatable resources, so the
 * member's kube-scheduler accounts for CPU, memory and GPUs exactly as on real machines.
 */
import type { ClusterSpec } from "./topology.ts";

export const KWOK_ANNOTATION = "kwok.x-k8s.io/node";

export function nodeManifests(cluster: ClusterSpec): object[] {
  const nodes: object[] = [];
  let i = 0;
  for (const pool of cluster.nodePools ?? []) {
    for (let n = 0; n < pool.count; n++, i++) {
      const name = `${cluster.name}-node-${i}`;
      const resources: Record<string, string> = {
        cpu: pool.cpu,
        memory: pool.memory,
        "ephemeral-storage": pool.ephemeralStorage ?? "200Gi",
        pods: String(pool.pods ?? 110),
      };
      if (pool.gpus) resources["nvidia.com/gpu"] = String(pool.gpus);
      nodes.push({
        apiVersion: "v1",
        kind: "Node",
        metadata: {
          name,
          annotations: {
            [KWOK_ANNOTATION]: "fake",
            "node.alpha.kubernetes.io/ttl": "0",
            // kwok serves every node's kubelet metrics under its own path; metrics-server reads it here.
            "metrics.k8s.io/resource-metrics-path": `/metrics/nodes/${name}/metrics/resource`,
          },
          labels: {
            "kubernetes.io/hostname": name,
            "kubernetes.io/os": "linux",
            "kubernetes.io/arch": "amd64",
            "node-role.kubernetes.io/worker": "",
            type: "kwok",
            "topology.kubernetes.io/region": cluster.region ?? cluster.name,
            ...(pool.gpus ? { "nvidia.com/gpu.present": "true" } : {}),
            ...pool.labels,
          },
        },
        spec: {},
        status: { allocatable: resources, capacity: resources },
      });
    }
  }
  return nodes;
}
