/**
 * Judges a federated rollout's bounds on every change the members' watches deliver, not on
 * samples that can miss a short breach. What is judged is what Spillway controls and what a
 * Deployment itself promises: the surge bound on the sum of the member ReplicaSets' replicas
 * (`Σ spec.replicas ≤ R + maxSurge`), and availability on ready pods not being deleted
 * (`Σ ready ≥ R − maxUnavailable`). Each member's watch keeps its last state while the member is
 * unreachable, so an unreachable member counts with what it last held.
 */
import { AppsV1Api, CoreV1Api, type V1Pod, type V1ReplicaSet } from "@kubernetes/client-node";
import { Informer } from "@spillway/kit";
import { kubeConfigFor, type ClusterRole } from "./env.ts";

export interface Extremes {
  /** Changes judged (after every member's watch had listed). */
  changes: number;
  maxReplicaSetReplicas: number;
  minReady: number;
  /** The per-member state at each extreme, so a broken bound says where it broke. */
  atMax: Record<string, { replicaSets: number; ready: number }>;
  atMin: Record<string, { replicaSets: number; ready: number }>;
}

const isReady = (p: V1Pod) =>
  !p.metadata?.deletionTimestamp && (p.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");

/** `app` selects the workload's pods by `app=<app>`, or by `selector` when given (a chart's own labels). */
export async function watchFleetBounds(members: ClusterRole[], namespace: string, app: string, selector = `app=${app}`) {
  const labelSelector = selector;
  const watches = members.map((m) => {
    const kc = kubeConfigFor(m);
    const apps = kc.makeApiClient(AppsV1Api);
    const core = kc.makeApiClient(CoreV1Api);
    return {
      member: m,
      replicaSets: new Informer<V1ReplicaSet>(kc, {
        path: `/apis/apps/v1/namespaces/${namespace}/replicasets`,
        labelSelector,
        list: () => apps.listNamespacedReplicaSet({ namespace, labelSelector }),
        maxBackoffMs: 1000,
      }),
      pods: new Informer<V1Pod>(kc, {
        path: `/api/v1/namespaces/${namespace}/pods`,
        labelSelector,
        list: () => core.listNamespacedPod({ namespace, labelSelector }),
        maxBackoffMs: 1000,
      }),
    };
  });
  const state = () =>
    Object.fromEntries(
      watches.map((w) => [
        w.member,
        {
          replicaSets: w.replicaSets.list(namespace).reduce((s, rs) => s + (rs.spec?.replicas ?? 0), 0),
          ready: w.pods.list(namespace).filter(isReady).length,
        },
      ]),
    );
  const extremes: Extremes = { changes: 0, maxReplicaSetReplicas: -1, minReady: Number.MAX_SAFE_INTEGER, atMax: {}, atMin: {} };
  let judging = false;
  const judge = () => {
    if (!judging) return;
    const s = state();
    const rs = Object.values(s).reduce((sum, v) => sum + v.replicaSets, 0);
    const ready = Object.values(s).reduce((sum, v) => sum + v.ready, 0);
    extremes.changes++;
    if (rs > extremes.maxReplicaSetReplicas) Object.assign(extremes, { maxReplicaSetReplicas: rs, atMax: s });
    if (ready < extremes.minReady) Object.assign(extremes, { minReady: ready, atMin: s });
  };
  for (const w of watches) {
    w.replicaSets.addHandler(judge);
    w.pods.addHandler(judge);
  }
  await Promise.all(watches.flatMap((w) => [w.replicaSets.start(), w.pods.start()]));
  await Promise.all(watches.flatMap((w) => [w.replicaSets.hasSynced(), w.pods.hasSynced()]));
  judging = true;
  judge();
  return {
    stop: async (): Promise<Extremes> => {
      judging = false;
      await Promise.all(watches.flatMap((w) => [w.replicaSets.stop(), w.pods.stop()]));
      console.log(
        `${app}: ${extremes.changes} changes judged; most ReplicaSet replicas ${JSON.stringify(extremes.atMax)}; least ready ${JSON.stringify(extremes.atMin)}`,
      );
      return extremes;
    },
  };
}
