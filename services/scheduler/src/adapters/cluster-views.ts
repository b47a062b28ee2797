/**
 * The scheduler's view of each member, from its MemberCluster (tier, priority, labels, taints,
 * Ready condition) and its latest snapshot (node free room), and what a workload's own pods look
 * like in each member (bound, Pending-unschedulable), from the snapshot's owner counts.
 */
import type { MemberCluster } from "@spillway/api";
import type { ClusterSnapshot, ResourceAmounts } from "@spillway/proto";
import type { ResourceVector } from "@spillway/resources";
import { isMemberReady, memberLabels, readySinceMs, type WorkloadKind } from "@spillway/rules";
import type { ClusterView, Observed } from "../core/types.ts";

export function vector(a: ResourceAmounts | undefined): ResourceVector {
  if (!a) return {};
  const v: ResourceVector = {};
  if (a.cpuMillis) v["cpu"] = Number(a.cpuMillis);
  if (a.memoryBytes) v["memory"] = Number(a.memoryBytes);
  if (a.ephemeralStorageBytes) v["ephemeral-storage"] = Number(a.ephemeralStorageBytes);
  if (a.gpus) v["nvidia.com/gpu"] = Number(a.gpus);
  for (const [k, n] of Object.entries(a.extended)) v[k] = Number(n);
  return v;
}

export function clusterView(m: MemberCluster, snapshot: ClusterSnapshot | undefined, nowMs: number): ClusterView {
  // Ready as the gateway reports it, and a snapshot to simulate on.
  // A fenced member is gone for good: nothing is placed there and its replicas move at once.
  const fenced = m.spec.fenced === true;
  const isReady = isMemberReady(m) && snapshot !== undefined && !fenced;
  const since = readySinceMs(m) ?? nowMs;
  return {
    name: m.metadata.name!,
    tier: m.spec.tier,
    priority: m.spec.priority,
    labels: memberLabels(m),
    taints: (m.spec.taints ?? []).map((t) => ({ key: t.key, value: t.value ?? "", effect: t.effect })),
    ready: isReady,
    notReadyForMs: isReady ? 0 : fenced ? Number.MAX_SAFE_INTEGER : Math.max(0, nowMs - since),
    ...(fenced ? { fenced } : {}),
    snapshotRevision: Number(snapshot?.revision ?? 0n),
    nodes: (snapshot?.nodes ?? []).map((n) => ({
      name: n.name,
      labels: n.labels,
      taints: n.taints.map((t) => ({ key: t.key, value: t.value, effect: t.effect })),
      free: vector(n.free),
      freePods: Math.max(0, n.maxPods - n.podCount),
    })),
  };
}

/**
 * The federated workload a member's pod owner belongs to: member objects are named like the
 * workload, and a Deployment's pods belong to its ReplicaSets `<name>-<hash>` (the hash has no
 * dash, so an owner name belongs to one workload name at most).
 */
export function workloadOfOwner(ownerKind: string, ownerName: string): { kind: WorkloadKind; name: string } | undefined {
  if (ownerKind === "StatefulSet") return { kind: "FederatedStatefulSet", name: ownerName };
  if (ownerKind !== "ReplicaSet") return undefined;
  const m = /^(.+)-[a-z0-9]{1,10}$/.exec(ownerName);
  return m ? { kind: "FederatedDeployment", name: m[1]! } : undefined;
}

const workloadKey = (namespace: string, kind: WorkloadKind, name: string) => `${namespace}|${kind}|${name}`;

type PodGroup = { namespace: string; ownerKind: string; ownerName: string };
/**
 * Each workload's pods in one snapshot, summed once per snapshot: a decision reads them for every
 * placed workload in every member, and a scan of the owner lists there grew with workloads² ×
 * members. Keyed by the snapshot's own lists, which a new snapshot replaces.
 */
const owned = new WeakMap<readonly PodGroup[], Map<string, number>>();
const unschedulable = new WeakMap<readonly PodGroup[], Map<string, { count: number; oldestMs: number }>>();

/** `list` summed by workload with `add`, once per list object. */
function sumsByWorkload<T extends PodGroup, S>(
  list: readonly T[],
  cache: WeakMap<readonly PodGroup[], Map<string, S>>,
  add: (sum: S | undefined, item: T) => S,
): Map<string, S> {
  let index = cache.get(list);
  if (index) return index;
  index = new Map();
  for (const p of list) {
    const w = workloadOfOwner(p.ownerKind, p.ownerName);
    if (!w) continue;
    const key = workloadKey(p.namespace, w.kind, w.name);
    index.set(key, add(index.get(key), p));
  }
  cache.set(list, index);
  return index;
}

/** How many of a workload's pods one member's snapshot holds bound. */
export function boundIn(snapshot: ClusterSnapshot | undefined, namespace: string, kind: WorkloadKind, name: string): number {
  if (!snapshot) return 0;
  return sumsByWorkload(snapshot.owners, owned, (sum, p) => (sum ?? 0) + p.bound).get(workloadKey(namespace, kind, name)) ?? 0;
}

/** A workload's own pods in one member: bound, and Pending as unschedulable. */
export function observedIn(snapshot: ClusterSnapshot | undefined, namespace: string, kind: WorkloadKind, name: string): Observed {
  if (!snapshot) return { bound: 0, unschedulable: 0, oldestUnschedulableMs: 0 };
  const key = workloadKey(namespace, kind, name);
  const pending = sumsByWorkload(snapshot.pending, unschedulable, (sum, p) => ({
    count: (sum?.count ?? 0) + p.count,
    oldestMs: Math.max(sum?.oldestMs ?? 0, Number(p.oldestUnschedulableSeconds) * 1000),
  })).get(key);
  return {
    bound: boundIn(snapshot, namespace, kind, name),
    unschedulable: pending?.count ?? 0,
    oldestUnschedulableMs: pending?.oldestMs ?? 0,
  };
}
