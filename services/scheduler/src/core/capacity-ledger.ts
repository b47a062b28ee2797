/**
 * Simulated free room of one member's nodes, consumed replica by replica the way the member's
 * kube-scheduler would fill them (first fit over nodes in name order). One ledger per member lives
 * for a scheduling pass, so room given to one workload is not offered to the next.
 */
import type { ResourceVector } from "@spillway/resources";
import { fitCount, nodeEligible } from "./node-fit.ts";
import type { ClusterView, WorkloadRequest } from "./types.ts";

interface NodeRoom {
  index: number;
  free: ResourceVector;
  freePods: number;
}

export class CapacityLedger {
  readonly cluster: ClusterView;
  private readonly rooms: NodeRoom[];

  constructor(cluster: ClusterView) {
    this.cluster = cluster;
    this.rooms = cluster.nodes.map((n, index) => ({ index, free: { ...n.free }, freePods: n.freePods }));
  }

  /** Replicas of `w` that fit now, without taking the room. */
  fits(w: WorkloadRequest, limit = Infinity): number {
    let total = 0;
    for (const room of this.rooms) {
      if (total >= limit) break;
      if (!nodeEligible(w, this.cluster.nodes[room.index]!)) continue;
      total += fitCount(room.free, room.freePods, w.perReplica);
    }
    return Math.min(total, limit);
  }

  /** Takes room for up to `count` replicas of `w`; returns how many got room. */
  take(w: WorkloadRequest, count: number): number {
    let placed = 0;
    for (const room of this.rooms) {
      if (placed >= count) break;
      if (!nodeEligible(w, this.cluster.nodes[room.index]!)) continue;
      const n = Math.min(count - placed, fitCount(room.free, room.freePods, w.perReplica));
      if (n <= 0) continue;
      for (const r in w.perReplica) room.free[r] = (room.free[r] ?? 0) - n * w.perReplica[r]!;
      room.freePods -= n;
      placed += n;
    }
    return placed;
  }

  /** The largest free amount of each requested resource on one eligible node, for messages. */
  largestFree(w: WorkloadRequest): { eligibleNodes: number; largest: ResourceVector } {
    const largest: ResourceVector = {};
    let eligibleNodes = 0;
    for (const room of this.rooms) {
      if (!nodeEligible(w, this.cluster.nodes[room.index]!)) continue;
      eligibleNodes++;
      for (const r in w.perReplica) largest[r] = Math.max(largest[r] ?? 0, room.free[r] ?? 0);
    }
    return { eligibleNodes, largest };
  }
}
