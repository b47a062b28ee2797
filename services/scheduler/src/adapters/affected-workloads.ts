/**
 * Which workloads a snapshot or member change can affect (the pure rule is core/affected.ts),
 * as the watches each placement controller declares: only those are re-evaluated. Both
 * controllers see the same change (the same delta, the same member object): what it affects is
 * worked out once, and "did the member really change" judged once, for both kinds.
 */
import type { MemberCluster } from "@spillway/api";
import { memberChangeFilter, watch, type EventSource } from "@spillway/kit";
import type { WorkloadKind } from "@spillway/rules";
import { affectedBy, type SnapshotDelta } from "../core/affected.ts";
import type { SchedulingService, Workload } from "./scheduling-service.ts";
import type { SnapshotChange } from "./snapshot-source.ts";

type Keys = Record<WorkloadKind, string[]>;

export class AffectedWorkloads {
  private readonly service: SchedulingService;
  private readonly snapshots: EventSource<SnapshotChange>;
  private readonly members: EventSource<MemberCluster>;
  private readonly perChange = new WeakMap<object, Keys>();
  private readonly memberChanged = memberChangeFilter();

  constructor(service: SchedulingService, snapshots: EventSource<SnapshotChange>, members: EventSource<MemberCluster>) {
    this.service = service;
    this.snapshots = snapshots;
    this.members = members;
  }

  /** A placement controller's watches: a snapshot or member change re-queues only what it can affect. */
  watches(kind: WorkloadKind) {
    return [
      watch(this.snapshots, (e) => this.once(e.delta, () => e)[kind], 100),
      watch(
        this.members,
        (m, type) => this.once(m, () => (this.memberChanged(type, m) ? { cluster: m.metadata.name! } : undefined))[kind],
        100,
      ),
    ];
  }

  private once(change: object, what: () => { cluster: string; delta?: SnapshotDelta } | undefined): Keys {
    let keys = this.perChange.get(change);
    if (!keys) {
      const c = what();
      keys = c ? this.affected(c.cluster, c.delta) : { FederatedDeployment: [], FederatedStatefulSet: [] };
      this.perChange.set(change, keys);
    }
    return keys;
  }

  /** The workloads of each kind a change in `cluster` can affect, each by its own member ranking. */
  private affected(cluster: string, delta?: SnapshotDelta): Keys {
    const service = this.service;
    const ranks = new Map<string, (c: string) => number>();
    const rankFor = (w: Workload | undefined) => {
      const order = w?.spec.placement?.tierOrder;
      const key = (order ?? []).join(",");
      if (!ranks.has(key)) ranks.set(key, service.rankOf(order));
      return ranks.get(key)!;
    };
    const placements = service.allPlacements();
    const keys = (kind: WorkloadKind) =>
      affectedBy(
        cluster,
        service.rankOf(),
        placements
          .filter((p) => p.spec.workloadRef.kind === kind)
          .map((p) => ({
            key: `${p.metadata.namespace}/${p.spec.workloadRef.name}`,
            clusters: Object.fromEntries(p.spec.clusters.map((c) => [c.name, c.replicas])),
            unschedulable: p.spec.unschedulableReplicas,
            rankOf: rankFor(service.workload(kind, p.metadata.namespace!, p.spec.workloadRef.name)),
            rolling: p.spec.rolloutRoom !== undefined,
          })),
        delta,
      );
    return { FederatedDeployment: keys("FederatedDeployment"), FederatedStatefulSet: keys("FederatedStatefulSet") };
  }
}
