/**
 * Which workloads a change in one member's snapshot can affect. A change to a workload's own pods
 * there (bound or Pending counts) affects that workload. More free room can help workloads with
 * replicas that fit nowhere, and those holding replicas in a member ranked after this one (failback).
 * A workload rolling out publishes the room for its surge in every member, so any change of any
 * member affects it. Nothing else can change a decision, so nothing else is re-evaluated.
 */
export interface PlacementSummary {
  key: string;
  /** `namespace/name` of the workload, matched against a delta's workloads (defaults to key). */
  workload?: string;
  clusters: Record<string, number>;
  unschedulable: number;
  /** This workload's member ranking, when its `placement.tierOrder` differs from the fleet's. */
  rankOf?: (cluster: string) => number;
  /** The workload rolls out: its Placement publishes room, which any member change can alter. */
  rolling?: boolean;
}

export interface SnapshotDelta {
  /** Keys (`namespace/name`) of workloads whose pods changed in the member; undefined = unknown, assume all there. */
  workloads: Set<string> | undefined;
  /** Free room grew somewhere (a node, a resource): replicas waiting for room may now fit. */
  roomGrew: boolean;
}

export function affectedBy(
  cluster: string,
  rankOf: (cluster: string) => number,
  placements: Iterable<PlacementSummary>,
  delta: SnapshotDelta = { workloads: undefined, roomGrew: true },
): string[] {
  const out: string[] = [];
  for (const p of placements) {
    const rank = p.rankOf ?? rankOf;
    const r = rank(cluster);
    const names = Object.keys(p.clusters).filter((c) => (p.clusters[c] ?? 0) > 0);
    const here = names.includes(cluster) && (delta.workloads === undefined || delta.workloads.has(p.workload ?? p.key));
    const helped = delta.roomGrew && (p.unschedulable > 0 || names.some((c) => rank(c) > r));
    if (here || helped || p.rolling) out.push(p.key);
  }
  return out;
}

/** Free room of a snapshot, per node and resource, as plain numbers. */
export type Room = Map<string, Record<string, number>>;

/** What changed between two snapshots of one member, in the terms `affectedBy` needs. */
export function snapshotDelta(
  prev: { room: Room; owners: Map<string, number> } | undefined,
  next: { room: Room; owners: Map<string, number> },
  workloadOfOwner: (ownerKey: string) => string | undefined,
): SnapshotDelta {
  if (!prev) return { workloads: undefined, roomGrew: true };
  const workloads = new Set<string>();
  for (const key of new Set([...prev.owners.keys(), ...next.owners.keys()])) {
    if (prev.owners.get(key) !== next.owners.get(key)) {
      const w = workloadOfOwner(key);
      if (w) workloads.add(w);
    }
  }
  let roomGrew = false;
  for (const [node, free] of next.room) {
    const before = prev.room.get(node);
    if (!before || Object.entries(free).some(([r, v]) => v > (before[r] ?? 0))) {
      roomGrew = true;
      break;
    }
  }
  return { workloads, roomGrew };
}
