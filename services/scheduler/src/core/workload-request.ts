/**
 * A federated workload's spec as the scheduler's WorkloadRequest: per-replica requests from the
 * pod template (as the kube-scheduler counts them), node constraints, placement policy, and the
 * failback step (maxSurge resolved against the replica count, rounded up as a Deployment does).
 */
import type { FederatedDeployment, FederatedDeploymentSpec, FederatedStatefulSet, FederatedStatefulSetSpec } from "@spillway/api";
import { podRequests, resolveIntOrPercent, type PodSpecLike } from "@spillway/resources";
import type { NodeSelectorRequirement, Toleration, WorkloadRequest } from "./types.ts";

/**
 * A FederatedDeployment rolls out from a spec change fleet-root has not yet observed until no
 * member reports pods of an old template (a member Deployment's own replicas beyond its updated
 * ones: a member growing or shrinking on one template is no rollout, even while its aggregate
 * counts lag). A new workload (no status yet) has no old pods to replace, and Recreate never
 * surges: neither needs room. Stalled members come from that report.
 */
export function rolloutOf(fd: Pick<FederatedDeployment, "metadata" | "spec" | "status">): WorkloadRequest["rollout"] {
  const s = fd.status;
  if (!s || s.observedGeneration === undefined || fd.spec.strategy?.type === "Recreate") return undefined;
  const withOldPods = (s.clusters ?? []).filter((c) => c.replicas > (c.updatedReplicas ?? 0)).map((c) => c.name);
  if (s.observedGeneration === fd.metadata.generation && withOldPods.length === 0) return undefined;
  return {
    stalled: (s?.stalledClusters ?? []).map((c) => ({ cluster: c.name, replicas: c.replicas, placedReplicas: c.placedReplicas })),
    withOldPods,
  };
}

/**
 * A FederatedStatefulSet rolls out while the orchestrator has not observed its generation or its
 * revisions differ (a partitioned canary included): ordinals then stay where they are, since a
 * member that opens a range mid-rollout would start its old-revision ordinals on the new one.
 */
export function statefulRolling(s: Pick<FederatedStatefulSet, "metadata" | "status">): boolean {
  const st = s.status;
  if (!st || st.observedGeneration === undefined) return false;
  return st.observedGeneration !== s.metadata.generation || (st.updateRevision !== undefined && st.currentRevision !== st.updateRevision);
}

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

/** The members the workload's status says it stays out of (DependencyConflicts filter). */
export function dependencyConflictsOf(
  w: Pick<FederatedDeployment | FederatedStatefulSet, "status">,
): WorkloadRequest["dependencyConflicts"] {
  const listed = w.status?.dependencyConflicts ?? [];
  return listed.length ? Object.fromEntries(listed.map((c) => [c.name, c.objects])) : undefined;
}
