/**
 * The replicas each Placement has put in a member that the member's snapshot does not hold yet,
 * which every decision subtracts from the room it offers. Recomputed whole, they cost every
 * Placement × every member it names on every decision, with each workload's request worked out
 * again from its pod template: at 12 members and 200 workloads this was most of the scheduler's
 * time, inside the lock that runs decisions one at a time. So each Placement's share is kept, and
 * only what changed is worked out again: a member's figure when its snapshot is a new one, the
 * whole share when the Placement or its workload is. The informers and the snapshot stream replace
 * an object when it changes and never edit one, so "the same object" is "unchanged".
 */
import type { Placement } from "@spillway/api";
import type { ClusterSnapshot } from "@spillway/proto";
import type { WorkloadKind } from "@spillway/rules";
import type { InflightReplicas } from "../core/decide.ts";
import type { Workload } from "../core/placement-object.ts";
import type { WorkloadRequest } from "../core/types.ts";
import { workloadRequest } from "../core/workload-request.ts";
import { boundIn } from "./cluster-views.ts";

interface Share {
  workload: Workload;
  request: WorkloadRequest;
  /** Per cluster of the Placement, in its order: the snapshot the figure was read from, and the figure. */
  clusters: Array<{ snapshot: ClusterSnapshot | undefined; inflight: number }>;
}

export class InflightCache {
  private readonly shares = new WeakMap<Placement, Share>();
  private readonly snapshot: (cluster: string) => ClusterSnapshot | undefined;

  constructor(snapshot: (cluster: string) => ClusterSnapshot | undefined) {
    this.snapshot = snapshot;
  }

  /** Every Placement's replicas in flight, from its workload (undefined: gone, so nothing is in flight for it). */
  of(placements: Iterable<Placement>, workloadOf: (p: Placement) => Workload | undefined): InflightReplicas[] {
    const inflight: InflightReplicas[] = [];
    for (const p of placements) {
      const w = workloadOf(p);
      if (!w) continue;
      let share = this.shares.get(p);
      if (share?.workload !== w) {
        share = { workload: w, request: workloadRequest(`${p.metadata.namespace}/${w.metadata.name}`, w.spec), clusters: [] };
        this.shares.set(p, share);
      }
      const kind = p.spec.workloadRef.kind as WorkloadKind;
      p.spec.clusters.forEach((c, i) => {
        const snapshot = this.snapshot(c.name);
        let held = share.clusters[i];
        if (!held || held.snapshot !== snapshot) {
          held = { snapshot, inflight: c.replicas - boundIn(snapshot, p.metadata.namespace!, kind, w.metadata.name!) };
          share.clusters[i] = held;
        }
        if (held.inflight > 0) inflight.push({ workload: share.request, cluster: c.name, replicas: held.inflight });
      });
    }
    return inflight;
  }
}
