/**
 * Judges a federated rollout's bounds on every change the members' watches deliver, not on
 * samples that can miss a short breach. What is judged is what Spillway controls and what a
 * Deployment itself promises: the surge bound on the sum of the member ReplicaSets' replicas
 * (`Σ spec.replicas ≤ R + maxSurge`), and availability on ready pods not being deleted
 * (`Σ ready ≥ R − maxUnavailable`). Each member's watch keeps its last state while the member is
 * unreachable, so an unreachable member counts with what it last held.
 */
import { AppsV1Api, CoreV1Api, type V1Deployment, type V1Pod, type V1ReplicaSet } from "@kubernetes/client-node";
import { Informer } from "@spillway/kit";
import { kubeConfigFor, type ClusterRole } from "./env.ts";

export interface Extremes {
  /** Fleet states judged (after every member's watch had listed). */
  changes: number;
  maxReplicaSetReplicas: number;
  minReady: number;
  /** The per-member state at each extreme, so a broken bound says where it broke. */
  atMax: Record<string, MemberState>;
  atMin: Record<string, MemberState>;
  /** Each member's resourceVersion at each extreme (in `members` order). */
  maxAt?: string;
  minAt?: string;
}

interface MemberState {
  replicaSets: number;
  ready: number;
  each: Record<string, number | undefined>;
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
      // Judged nothing of; only says how far the member has come, from the cache fleet-root reads.
      deployments: new Informer<V1Deployment>(kc, {
        path: `/apis/apps/v1/namespaces/${namespace}/deployments`,
        list: () => apps.listNamespacedDeployment({ namespace }),
        maxBackoffMs: 1000,
      }),
    };
  });
  // Each stream's view after each of its events, by resourceVersion. A member's ReplicaSets and
  // pods come on two watches, which the API server feeds from separate caches: one can run behind
  // the other (and behind what fleet-root already acted on) — a ReplicaSet scaled down, its pods
  // seen deleting, and the ReplicaSet's own event still on its way. So the fleet is judged, at
  // each event, with every member as of the newest resourceVersion any of its watches has
  // delivered by then: a real past state of each member, the ReplicaSets' and the pods' of the
  // same moment, once every event up to it has come. The member's Deployments are watched too,
  // as fleet-root watches them: what fleet-root acted on has reached the judge as well. (resourceVersions of one API server are
  // etcd revisions, ordered across resources; comparing them is sound for this testbed's judge.)
  const rv = (o: { metadata?: { resourceVersion?: string } }) => Number(o.metadata?.resourceVersion ?? 0) || 0;
  const replicaSetsOf = (w: (typeof watches)[number]) => {
    const sets = w.replicaSets.list(namespace);
    return {
      replicaSets: sets.reduce((s, rs) => s + (rs.spec?.replicas ?? 0), 0),
      // Each ReplicaSet's replicas: which template held what at a broken bound.
      each: Object.fromEntries(
        sets
          .filter((rs) => (rs.spec?.replicas ?? 0) > 0)
          .map((rs) => [rs.metadata?.labels?.["pod-template-hash"] ?? rs.metadata?.name ?? "", rs.spec?.replicas]),
      ),
    };
  };
  const readyOf = (w: (typeof watches)[number]) => ({ ready: w.pods.list(namespace).filter(isReady).length });
  const histories = watches.map(() => ({
    replicaSets: new History<ReturnType<typeof replicaSetsOf>>(),
    pods: new History<ReturnType<typeof readyOf>>(),
    delivered: 0,
  }));
  /** At each event judged: how far each member's watches had come. */
  const moments: number[][] = [];
  let judging = false;
  const judge = (i: number, stream: "replicaSets" | "pods" | "deployments", o: { metadata?: { resourceVersion?: string } }) => {
    if (!judging) return;
    const w = watches[i]!;
    const h = histories[i]!;
    const at = rv(o);
    if (stream === "replicaSets") h.replicaSets.push(at, replicaSetsOf(w));
    else if (stream === "pods") h.pods.push(at, readyOf(w));
    h.delivered = Math.max(h.delivered, at);
    moments.push(histories.map((x) => x.delivered));
  };
  watches.forEach((w, i) => {
    w.replicaSets.addHandler((_t, o) => judge(i, "replicaSets", o));
    w.pods.addHandler((_t, o) => judge(i, "pods", o));
    w.deployments.addHandler((_t, o) => judge(i, "deployments", o));
  });
  const informers = watches.flatMap((w) => [w.replicaSets, w.pods, w.deployments]);
  await Promise.all(informers.map((x) => x.start()));
  await Promise.all(informers.map((x) => x.hasSynced()));
  watches.forEach((w, i) => {
    const listed = Math.max(0, ...[...w.replicaSets.list(namespace), ...w.pods.list(namespace), ...w.deployments.list(namespace)].map(rv));
    histories[i]!.replicaSets.push(listed, replicaSetsOf(w));
    histories[i]!.pods.push(listed, readyOf(w));
    histories[i]!.delivered = listed;
  });
  judging = true;
  moments.push(histories.map((x) => x.delivered));
  return {
    stop: async (): Promise<Extremes> => {
      judging = false;
      await Promise.all(informers.map((x) => x.stop()));
      const extremes: Extremes = { changes: 0, maxReplicaSetReplicas: -1, minReady: Number.MAX_SAFE_INTEGER, atMax: {}, atMin: {} };
      // A member's watches may pass several of its states between two moments (the lagging one
      // catching up): each is judged, with the other members as they were at that moment.
      const stateOf = (i: number, at: number) => ({ ...histories[i]!.replicaSets.at(at), ...histories[i]!.pods.at(at) });
      moments.forEach((moment, k) => {
        const before = moments[k - 1];
        watches.forEach((_w, i) => {
          const from = before?.[i] ?? -1;
          if (before && moment[i] === from) return;
          const points = [
            ...histories[i]!.replicaSets.versionsIn(from, moment[i]!),
            ...histories[i]!.pods.versionsIn(from, moment[i]!),
            moment[i]!,
          ];
          for (const at of new Set(points)) {
            const s = Object.fromEntries(watches.map((w, j) => [w.member, stateOf(j, j === i ? at : moment[j]!)]));
            const rs = Object.values(s).reduce((sum, v) => sum + v.replicaSets, 0);
            const ready = Object.values(s).reduce((sum, v) => sum + v.ready, 0);
            const where = watches.map((_x, j) => (j === i ? at : moment[j]!)).join("/");
            extremes.changes++;
            if (rs > extremes.maxReplicaSetReplicas) Object.assign(extremes, { maxReplicaSetReplicas: rs, atMax: s, maxAt: where });
            if (ready < extremes.minReady) Object.assign(extremes, { minReady: ready, atMin: s, minAt: where });
          }
        });
      });
      console.log(
        `${app}: ${extremes.changes} changes judged; most ReplicaSet replicas at ${extremes.maxAt} ${JSON.stringify(extremes.atMax)}; least ready at ${extremes.minAt} ${JSON.stringify(extremes.atMin)}`,
      );
      return extremes;
    },
  };
}

/** A stream's view after each of its events, in delivery order, read back as of a resourceVersion. */
class History<T> {
  private readonly entries: Array<{ rv: number; view: T }> = [];

  /** A re-list delivers objects out of order: its views count as of the newest version seen. */
  push(rv: number, view: T): void {
    const last = this.entries.at(-1)?.rv ?? 0;
    this.entries.push({ rv: Math.max(rv, last), view });
  }

  /** The versions of the views pushed after `from`, up to `to`. */
  versionsIn(from: number, to: number): number[] {
    return this.entries.filter((e) => e.rv > from && e.rv <= to).map((e) => e.rv);
  }

  /** The view once every event up to `rv` was delivered (the first view when none was). */
  at(rv: number): T {
    let found = this.entries[0]!;
    for (const e of this.entries) {
      if (e.rv > rv) break;
      found = e;
    }
    return found.view;
  }
}
