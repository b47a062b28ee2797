/**
 * Simulated free room of one member's nodes, consumed replica by replica the way the member's
 * kube-scheduler would fill them (first fit over nodes in name order). One ledger per member lives
 * for a scheduling pass, so room given to one workload is not offered to the next.
 *
 * Speed: a max-tree per resource over the nodes' free amounts. The CPU tree (or a requested
 * extended resource's) lets first fit jump straight to nodes with enough of it, skipping full
 * ones; the roots of all trees say at once whether any single node could hold one replica, so a
 * full member is rejected without visiting its nodes.
 *
 * Room only shrinks while a ledger lives (nothing but `take` changes it). So a request that found
 * no node is remembered, per set of node constraints: a later request at least as large in every
 * resource, under the same constraints, finds none either and is answered without a walk. A member
 * that is full in the bin-packing sense (CPU left on some nodes, memory on others) otherwise cost
 * a walk over all its nodes for every workload that came after, nine walks in ten of a pass.
 */
import type { ResourceVector } from "@spillway/resources";
import { MaxTree } from "./max-tree.ts";
import { eligibilityKey, fitCount, nodeEligible } from "./node-fit.ts";
import type { ClusterView, WorkloadRequest } from "./types.ts";

interface NodeRoom {
  index: number;
  free: ResourceVector;
  freePods: number;
}

/** Misses kept per eligibility key: a pass sees few distinct smallest ones. */
const MAX_MISSES = 16;

/** Whether `request` asks at least `miss` of every resource `miss` names. */
function covers(request: ResourceVector, miss: ResourceVector): boolean {
  for (const r in miss) if ((request[r] ?? 0) < miss[r]!) return false;
  return true;
}

export class CapacityLedger {
  readonly cluster: ClusterView;
  private readonly rooms: NodeRoom[];
  /** Free CPU per node, or -1 for a node with no pod slot left. */
  private readonly cpu: MaxTree;
  /** Free amount per node of every other resource, and of pod slots. */
  private readonly trees = new Map<string, MaxTree>();
  private readonly pods: MaxTree;
  /** Per eligibility key, the smallest requests (positive amounts only) that found no node. */
  private readonly misses = new Map<string, ResourceVector[]>();

  constructor(cluster: ClusterView) {
    this.cluster = cluster;
    this.rooms = cluster.nodes.map((n, index) => ({ index, free: { ...n.free }, freePods: n.freePods }));
    this.cpu = new MaxTree(this.rooms.map((r) => this.cpuKey(r)));
    this.pods = new MaxTree(this.rooms.map((r) => r.freePods));
    const names = new Set(this.rooms.flatMap((r) => Object.keys(r.free)));
    names.delete("cpu");
    for (const name of names) this.trees.set(name, new MaxTree(this.rooms.map((r) => r.free[name] ?? 0)));
  }

  private cpuKey(room: NodeRoom): number {
    return room.freePods > 0 ? (room.free["cpu"] ?? 0) : -1;
  }

  /**
   * Where first fit looks for nodes that might hold a replica of `per` (in node order: every index
   * whose value in the tree is at least the need): the tree of the resource fewest nodes have, an
   * extended resource (GPUs are on a few nodes of a member) when one is requested, else CPU.
   * Callers loop over `firstAtLeast` themselves: a generator per call was a fifth of a pass's garbage.
   */
  private search(per: ResourceVector): { tree: MaxTree; need: number } {
    for (const r in per) {
      if (r === "cpu" || r === "memory" || per[r]! <= 0) continue;
      const extended = this.trees.get(r);
      if (extended) return { tree: extended, need: per[r]! };
    }
    return { tree: this.cpu, need: Math.max(0, per["cpu"] ?? 0) };
  }

  /** False when no single node can hold one replica (a cheap, exact-enough rejection). */
  private mayFit(per: ResourceVector): boolean {
    if (this.pods.max <= 0) return false;
    for (const r in per) {
      if (per[r]! <= 0) continue;
      const top = r === "cpu" ? this.cpu.max : (this.trees.get(r)?.max ?? 0);
      if (per[r]! > top) return false;
    }
    return true;
  }

  /** Whether a request no smaller than `w`'s, under `w`'s node constraints, already found no node. */
  private missed(w: WorkloadRequest): boolean {
    const misses = this.misses.get(eligibilityKey(w));
    if (!misses) return false;
    for (let i = 0; i < misses.length; i++) if (covers(w.perReplica, misses[i]!)) return true;
    return false;
  }

  private remember(w: WorkloadRequest): void {
    const key = eligibilityKey(w);
    const miss: ResourceVector = {};
    for (const r in w.perReplica) if (w.perReplica[r]! > 0) miss[r] = w.perReplica[r]!;
    let kept = this.misses.get(key);
    if (!kept) this.misses.set(key, (kept = []));
    // Only the smallest misses are kept: one that covers the new one says nothing more.
    for (let i = kept.length - 1; i >= 0; i--) if (covers(kept[i]!, miss)) kept.splice(i, 1);
    kept.push(miss);
    if (kept.length > MAX_MISSES) kept.shift();
  }

  /** Replicas of `w` that fit now, without taking the room. */
  fits(w: WorkloadRequest, limit = Infinity): number {
    if (!this.mayFit(w.perReplica) || this.missed(w)) return 0;
    let total = 0;
    const { tree, need } = this.search(w.perReplica);
    for (let i = tree.firstAtLeast(0, need); i >= 0; i = tree.firstAtLeast(i + 1, need)) {
      const room = this.rooms[i]!;
      if (total >= limit) return limit;
      if (!nodeEligible(w, this.cluster.nodes[room.index]!)) continue;
      total += fitCount(room.free, room.freePods, w.perReplica);
    }
    if (total === 0) this.remember(w);
    return Math.min(total, limit);
  }

  /** Takes room for up to `count` replicas of `w`; returns how many got room. */
  take(w: WorkloadRequest, count: number): number {
    if (count <= 0 || !this.mayFit(w.perReplica) || this.missed(w)) return 0;
    let placed = 0;
    const { tree, need } = this.search(w.perReplica);
    for (let i = tree.firstAtLeast(0, need); i >= 0; i = tree.firstAtLeast(i + 1, need)) {
      const room = this.rooms[i]!;
      if (placed >= count) return placed;
      if (!nodeEligible(w, this.cluster.nodes[room.index]!)) continue;
      const n = Math.min(count - placed, fitCount(room.free, room.freePods, w.perReplica));
      if (n <= 0) continue;
      // A negative amount (no valid request has one) must not grow the room: misses count on it.
      for (const r in w.perReplica) if (w.perReplica[r]! > 0) room.free[r] = (room.free[r] ?? 0) - n * w.perReplica[r]!;
      room.freePods -= n;
      this.cpu.update(room.index, this.cpuKey(room));
      this.pods.update(room.index, room.freePods);
      for (const r in w.perReplica) if (r !== "cpu") this.trees.get(r)?.update(room.index, room.free[r] ?? 0);
      placed += n;
    }
    if (placed === 0) this.remember(w);
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
