/**
 * The scheduler's view of each member, from its MemberCluster (tier, priority, labels, taints,
 * Ready condition) and its latest snapshot (node free room), and what a workload's own pods look
 * like in each member (bound, Pending-unschedulable), from the snapshot's owner counts.
 */
import type { MemberCluster } from "@spillway/api";
import type { ClusterSnapshot, ResourceAmounts } from "@spillway/proto";
import type { ResourceVector } from "@spillway/resources";
import { isMemberReady, memberLabels, readySinceMs } from "@spillway/rules";
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

/** Member objects are named like the federated workload; a Deployment's pods belong to its ReplicaSets `<name>-<hash>`. */
export function ownsPods(kind: "FederatedDeployment" | "FederatedStatefulSet", name: string) {
  const rs = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-[a-z0-9]{1,10}$`);
  return (ownerKind: string, ownerName: string) =>
    kind === "FederatedDeployment" ? ownerKind === "ReplicaSet" && rs.test(ownerName) : ownerKind === "StatefulSet" && ownerName === name;
}

export function observedIn(
  snapshot: ClusterSnapshot | undefined,
  namespace: string,
  owns: (kind: string, name: string) => boolean,
): Observed {
  const o: Observed = { bound: 0, unschedulable: 0, oldestUnschedulableMs: 0 };
  if (!snapshot) return o;
  for (const p of snapshot.owners) if (p.namespace === namespace && owns(p.ownerKind, p.ownerName)) o.bound += p.bound;
  for (const p of snapshot.pending) {
    if (p.namespace !== namespace || !owns(p.ownerKind, p.ownerName)) continue;
    o.unschedulable += p.count;
    o.oldestUnschedulableMs = Math.max(o.oldestUnschedulableMs, Number(p.oldestUnschedulableSeconds) * 1000);
  }
  return o;
}
