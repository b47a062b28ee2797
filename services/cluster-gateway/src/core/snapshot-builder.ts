/**
 * The live picture of one member, maintained incrementally from node and pod events. Each event
 * costs O(resources of one pod): a pod's requests are added to or taken from its node's running
 * total, so nothing is ever recomputed from a full list. Every change that alters the picture bumps
 * `revision`, so consumers can tell a newer snapshot from an older one.
 */
import { addInto, subtract, type ResourceVector } from "@spillway/resources";

export interface Taint {
  key: string;
  value: string;
  effect: string;
}

/** What the builder keeps of a Node. */
export interface NodeInfo {
  name: string;
  labels: Record<string, string>;
  taints: Taint[];
  allocatable: ResourceVector;
  ready: boolean;
  unschedulable: boolean;
}

/** What the builder keeps of a Pod. */
export interface PodInfo {
  uid: string;
  namespace: string;
  nodeName: string | undefined;
  requests: ResourceVector;
  /** Succeeded or Failed: holds no resources. */
  terminated: boolean;
  /** When the pod was found unschedulable (PodScheduled=False/Unschedulable), if it is. */
  unschedulableSinceMs: number | undefined;
  /** The controlling owner; a pod without one is its own (kind `BARE_POD`, its name). */
  ownerKind: string;
  ownerName: string;
}

/** The owner kind of a pod that has no owner: it stands for itself. */
export const BARE_POD = "Pod";

interface NodeEntry {
  info: NodeInfo;
  requested: ResourceVector;
  podCount: number;
}

export interface NodeView {
  name: string;
  labels: Record<string, string>;
  taints: Taint[];
  allocatable: ResourceVector;
  free: ResourceVector;
  podCount: number;
  maxPods: number;
}

export interface PendingGroup {
  namespace: string;
  ownerKind: string;
  ownerName: string;
  count: number;
  oldestUnschedulableSeconds: number;
}

export interface OwnerCount {
  namespace: string;
  ownerKind: string;
  ownerName: string;
  bound: number;
}

export interface Snapshot {
  cluster: string;
  revision: number;
  takenAtMs: number;
  nodes: NodeView[];
  pending: PendingGroup[];
  owners: OwnerCount[];
}

export interface Totals {
  nodeCount: number;
  allocatable: ResourceVector;
  requested: ResourceVector;
}

/** A node takes part in scheduling when it is Ready, not cordoned and not NoSchedule/NoExecute-tainted by its lifecycle. */
export const schedulable = (n: NodeInfo) => n.ready && !n.unschedulable;

export class SnapshotBuilder {
  readonly cluster: string;
  private readonly nodes = new Map<string, NodeEntry>();
  private readonly pods = new Map<string, PodInfo>();
  /** Requests of pods bound to nodes we have not seen yet (events can arrive in any order). */
  private readonly orphans = new Map<string, { requested: ResourceVector; podCount: number }>();
  private readonly owners = new Map<string, OwnerCount>();
  private readonly pendingGroups = new Map<
    string,
    { namespace: string; ownerKind: string; ownerName: string; since: Map<string, number> }
  >();
  private rev = 0;

  constructor(cluster: string) {
    this.cluster = cluster;
  }

  get revision(): number {
    return this.rev;
  }

  get nodeCount(): number {
    return this.nodes.size;
  }

  get podCount(): number {
    return this.pods.size;
  }

  upsertNode(info: NodeInfo): void {
    const existing = this.nodes.get(info.name);
    if (existing) {
      if (sameNode(existing.info, info)) return;
      existing.info = info;
    } else {
      const orphan = this.orphans.get(info.name);
      this.orphans.delete(info.name);
      this.nodes.set(info.name, { info, requested: orphan?.requested ?? {}, podCount: orphan?.podCount ?? 0 });
    }
    this.rev++;
  }

  deleteNode(name: string): void {
    const entry = this.nodes.get(name);
    if (!entry) return;
    this.nodes.delete(name);
    // Its pods may still be deleted after it; keep their accounting where they can find it.
    if (entry.podCount > 0) this.orphans.set(name, { requested: entry.requested, podCount: entry.podCount });
    this.rev++;
  }

  upsertPod(pod: PodInfo): void {
    const old = this.pods.get(pod.uid);
    if (old && samePod(old, pod)) return;
    if (old) this.unaccount(old);
    this.pods.set(pod.uid, pod);
    this.account(pod);
    this.rev++;
  }

  deletePod(uid: string): void {
    const old = this.pods.get(uid);
    if (!old) return;
    this.pods.delete(uid);
    this.unaccount(old);
    this.rev++;
  }

  private holder(nodeName: string) {
    const entry = this.nodes.get(nodeName);
    if (entry) return entry;
    let orphan = this.orphans.get(nodeName);
    if (!orphan) this.orphans.set(nodeName, (orphan = { requested: {}, podCount: 0 }));
    return orphan;
  }

  private countOwner(pod: PodInfo, delta: number): void {
    // Owners are counted per controlling owner (workloads); a member of bare pods would otherwise
    // send one entry per pod in every snapshot.
    if (pod.ownerKind === BARE_POD) return;
    const key = `${pod.namespace}/${pod.ownerKind}/${pod.ownerName}`;
    let o = this.owners.get(key);
    if (!o) this.owners.set(key, (o = { namespace: pod.namespace, ownerKind: pod.ownerKind, ownerName: pod.ownerName, bound: 0 }));
    o.bound += delta;
    if (o.bound === 0) this.owners.delete(key);
  }

  private account(pod: PodInfo): void {
    if (pod.nodeName && !pod.terminated) {
      const h = this.holder(pod.nodeName);
      addInto(h.requested, pod.requests);
      h.podCount++;
      this.countOwner(pod, 1);
    }
    if (pod.unschedulableSinceMs !== undefined && !pod.nodeName) {
      const key = `${pod.namespace}/${pod.ownerKind}/${pod.ownerName}`;
      let g = this.pendingGroups.get(key);
      if (!g)
        this.pendingGroups.set(
          key,
          (g = { namespace: pod.namespace, ownerKind: pod.ownerKind, ownerName: pod.ownerName, since: new Map() }),
        );
      g.since.set(pod.uid, pod.unschedulableSinceMs);
    }
  }

  private unaccount(pod: PodInfo): void {
    if (pod.nodeName && !pod.terminated) {
      const h = this.holder(pod.nodeName);
      addInto(h.requested, pod.requests, -1);
      h.podCount--;
      this.countOwner(pod, -1);
      if (h.podCount === 0 && !this.nodes.has(pod.nodeName)) this.orphans.delete(pod.nodeName);
    }
    if (pod.unschedulableSinceMs !== undefined && !pod.nodeName) {
      const key = `${pod.namespace}/${pod.ownerKind}/${pod.ownerName}`;
      const g = this.pendingGroups.get(key);
      g?.since.delete(pod.uid);
      if (g && g.since.size === 0) this.pendingGroups.delete(key);
    }
  }

  /** Ready, schedulable nodes only: the capacity the fleet can actually use. */
  totals(): Totals {
    const allocatable: ResourceVector = {};
    const requested: ResourceVector = {};
    let nodeCount = 0;
    for (const { info, requested: r } of this.nodes.values()) {
      if (!schedulable(info)) continue;
      nodeCount++;
      addInto(allocatable, info.allocatable);
      addInto(requested, r);
    }
    return { nodeCount, allocatable, requested };
  }

  snapshot(nowMs: number): Snapshot {
    const nodes: NodeView[] = [];
    for (const { info, requested, podCount } of this.nodes.values()) {
      if (!schedulable(info)) continue;
      const { pods: maxPods = 0, ...allocatable } = info.allocatable;
      nodes.push({
        name: info.name,
        labels: info.labels,
        taints: info.taints,
        allocatable,
        free: subtract(allocatable, requested),
        podCount,
        maxPods,
      });
    }
    nodes.sort((a, b) => (a.name < b.name ? -1 : 1));
    const pending: Array<[string, PendingGroup]> = [];
    for (const g of this.pendingGroups.values()) {
      let oldest = nowMs;
      for (const t of g.since.values()) oldest = Math.min(oldest, t);
      pending.push([
        `${g.namespace}/${g.ownerName}`,
        {
          namespace: g.namespace,
          ownerKind: g.ownerKind,
          ownerName: g.ownerName,
          count: g.since.size,
          oldestUnschedulableSeconds: Math.max(0, Math.floor((nowMs - oldest) / 1000)),
        },
      ]);
    }
    // Sorted by keys made once per entry (the owners' map keys are `namespace/kind/name` already):
    // a comparator building its keys made two strings per comparison, and with one owner per bare
    // pod a member's snapshot sorted tens of thousands of them once a second.
    const owners = [...this.owners].sort(byKey).map(([, o]) => ({ ...o }));
    return {
      cluster: this.cluster,
      revision: this.rev,
      takenAtMs: nowMs,
      nodes,
      pending: pending.sort(byKey).map(([, g]) => g),
      owners,
    };
  }
}

const byKey = ([a]: [string, unknown], [b]: [string, unknown]) => (a < b ? -1 : a > b ? 1 : 0);

function sameVector(a: ResourceVector, b: ResourceVector): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => a[k] === b[k]);
}

function sameRecord(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => a[k] === b[k]);
}

function sameNode(a: NodeInfo, b: NodeInfo): boolean {
  return (
    a.ready === b.ready &&
    a.unschedulable === b.unschedulable &&
    sameVector(a.allocatable, b.allocatable) &&
    sameRecord(a.labels, b.labels) &&
    a.taints.length === b.taints.length &&
    a.taints.every((t, i) => t.key === b.taints[i]!.key && t.value === b.taints[i]!.value && t.effect === b.taints[i]!.effect)
  );
}

function samePod(a: PodInfo, b: PodInfo): boolean {
  return (
    a.nodeName === b.nodeName &&
    a.terminated === b.terminated &&
    a.unschedulableSinceMs === b.unschedulableSinceMs &&
    a.ownerKind === b.ownerKind &&
    a.ownerName === b.ownerName &&
    sameVector(a.requests, b.requests)
  );
}
