/**
 * A federated workload's spec as the scheduler's WorkloadRequest: per-replica requests from the
 * pod template (as the kube-scheduler counts them), node constraints, placement policy, and the
 * failback step (maxSurge resolved against the replica count, rounded up as a Deployment does).
 */
import type { FederatedDeploymentSpec, FederatedStatefulSetSpec } from "@spillway/api";
import { podRequests, resolveIntOrPercent, type PodSpecLike } from "@spillway/resources";
import type { NodeSelectorRequirement, Toleration, WorkloadRequest } from "./types.ts";

interface PodSpecConstraints extends PodSpecLike {
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
  affinity?: {
    nodeAffinity?: {
      requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: Array<{ matchExpressions?: NodeSelectorRequirement[] }> };
    };
  };
}

export function workloadRequest(
  key: string,
  spec: FederatedDeploymentSpec | FederatedStatefulSetSpec,
  replicasOverride?: number,
): WorkloadRequest {
  const pod = (spec.template.spec ?? {}) as PodSpecConstraints;
  const replicas = replicasOverride ?? spec.replicas;
  const strategy = "strategy" in spec ? spec.strategy : undefined;
  const surge = strategy?.type === "Recreate" ? 1 : resolveIntOrPercent(strategy?.rollingUpdate?.maxSurge, replicas, true, "25%");
  const p = spec.placement ?? {};
  return {
    key,
    replicas,
    perReplica: podRequests(pod),
    nodeSelector: pod.nodeSelector ?? {},
    nodeAffinity: (pod.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []).map(
      (t) => t.matchExpressions ?? [],
    ),
    tolerations: pod.tolerations ?? [],
    placement: {
      clusterNames: p.clusterNames,
      clusterSelector: p.clusterSelector,
      tierOrder: p.tierOrder,
      maxClusters: p.maxClusters,
      bounds: Object.fromEntries((p.clusters ?? []).map((b) => [b.name, { min: b.minReplicas, max: b.maxReplicas }])),
    },
    failbackStep: Math.max(1, surge),
  };
}
