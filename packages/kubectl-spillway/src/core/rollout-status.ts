/**
 * Whether a federated workload has rolled out, in the words and by the rules of `kubectl rollout
 * status` for a Deployment or a StatefulSet (k8s.io/kubectl's status viewers), applied to the
 * fleet-wide status; plus one line per member so the user sees where the rollout stands.
 */
import type { FederatedDeployment, FederatedStatefulSet } from "@spillway/api";

export interface RolloutState {
  done: boolean;
  /** Set when the rollout cannot finish by waiting (kubectl exits 1 with it). */
  error?: string;
  message: string;
  clusters: string[];
}

export function deploymentRollout(fd: FederatedDeployment): RolloutState {
  const name = `federateddeployment "${fd.metadata.name}"`;
  const s = fd.status ?? {};
  const clusters = (s.clusters ?? []).map(
    (c) =>
      `  ${c.name}: ${c.updatedReplicas ?? 0}/${c.replicas} updated, ${c.availableReplicas ?? 0} available${c.reachable === false ? " (unreachable: last seen)" : ""}`,
  );
  const state = (done: boolean, message: string, error?: string): RolloutState => ({
    done,
    message,
    clusters,
    ...(error ? { error } : {}),
  });
  if ((fd.metadata.generation ?? 0) > (s.observedGeneration ?? 0)) return state(false, `Waiting for ${name} spec update to be observed...`);
  const progressing = s.conditions?.find((c) => c.type === "Progressing");
  if (progressing?.reason === "ProgressDeadlineExceeded") return state(false, "", `${name} exceeded its progress deadline`);
  const want = fd.spec.replicas ?? 1;
  const updated = s.updatedReplicas ?? 0;
  if (updated < want)
    return state(false, `Waiting for ${name} rollout to finish: ${updated} out of ${want} new replicas have been updated...`);
  if ((s.replicas ?? 0) > updated)
    return state(false, `Waiting for ${name} rollout to finish: ${(s.replicas ?? 0) - updated} old replicas are pending termination...`);
  if ((s.availableReplicas ?? 0) < updated)
    return state(
      false,
      `Waiting for ${name} rollout to finish: ${s.availableReplicas ?? 0} of ${updated} updated replicas are available...`,
    );
  return state(true, `${name} successfully rolled out`);
}

export function statefulSetRollout(sts: FederatedStatefulSet): RolloutState {
  const s = sts.status ?? {};
  const clusters = (s.ordinalRanges ?? []).map(
    (r) =>
      `  ${r.cluster}: ordinals ${r.count ? `${r.start}-${r.start + r.count - 1}` : "none"}, ${r.readyReplicas ?? 0} ready, ${r.updatedReplicas ?? 0} updated`,
  );
  const state = (done: boolean, message: string, error?: string): RolloutState => ({
    done,
    message,
    clusters,
    ...(error ? { error } : {}),
  });
  if (sts.spec.updateStrategy?.type === "OnDelete")
    return state(false, "", "rollout status is only available for RollingUpdate strategy type");
  if ((sts.metadata.generation ?? 0) > (s.observedGeneration ?? 0))
    return state(false, "Waiting for statefulset spec update to be observed...");
  const want = sts.spec.replicas ?? 1;
  if ((s.readyReplicas ?? 0) < want) return state(false, `Waiting for ${want - (s.readyReplicas ?? 0)} pods to be ready...`);
  const partition = sts.spec.updateStrategy?.rollingUpdate?.partition ?? 0;
  if (partition > 0) {
    const needed = Math.max(0, want - partition);
    if ((s.updatedReplicas ?? 0) < needed)
      return state(
        false,
        `Waiting for partitioned roll out to finish: ${s.updatedReplicas ?? 0} out of ${needed} new pods have been updated...`,
      );
    return state(true, `partitioned roll out complete: ${s.updatedReplicas ?? 0} new pods have been updated...`);
  }
  if (s.updateRevision !== s.currentRevision)
    return state(
      false,
      `waiting for statefulset rolling update to complete ${s.updatedReplicas ?? 0} pods at revision ${s.updateRevision}...`,
    );
  return state(true, `statefulset rolling update complete ${s.currentReplicas ?? want} pods at revision ${s.currentRevision}...`);
}
