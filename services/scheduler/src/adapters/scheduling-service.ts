/**
 * Everything a decision needs, read from the informer caches and the snapshot stream: member
 * views, the in-flight replicas of every placed workload (placed but not yet holding resources in a
 * snapshot), and the target workload's request, previous placement and observed pods. Shared by the
 * placement controllers and gRPC Simulate, so both decide from exactly the same inputs.
 */
import type { FederatedDeployment, FederatedStatefulSet, MemberCluster, Placement, Tier } from "@spillway/api";
import type { EventSource, ObjectCache } from "@spillway/kit";
import type { ClusterSnapshot } from "@spillway/proto";
import { placementName, rankOf, type WorkloadKind } from "@spillway/rules";
import { decide, newLedgers } from "../core/decide.ts";
import { decideOrdinals, rangesOf } from "../core/ordinal-placement.ts";
import type { Decision, PreviousPlacement, SchedulerConfig } from "../core/types.ts";
import { dependencyConflictsOf, rolloutOf, statefulRolling, workloadRequest } from "../core/workload-request.ts";
import { clusterView, observedIn } from "./cluster-views.ts";
import { InflightCache } from "./inflight-cache.ts";

export type { WorkloadKind };
export type { Inputs, Workload } from "../core/placement-object.ts";
import type { Inputs, Workload } from "../core/placement-object.ts";

/** The latest snapshot of each member (the gateway's stream in production, a map in tests). */
export interface SnapshotReader {
  get(cluster: string): ClusterSnapshot | undefined;
}

export class SchedulingService {
  readonly config: SchedulerConfig;
  /**
   * Placements this replica decided or wrote that its informer may not have delivered yet.
   * Decisions share capacity, so the next one must see the last one's outcome, not a stale cache.
   * A decision being written (`pending`) carries the resourceVersion it was decided from, as the
   * write's guard; the informer delivering that version late must not retire it.
   */
  private readonly written = new Map<string, { placement: Placement; at: number; pending: boolean }>();
  private lock: Promise<void> = Promise.resolve();
  private readonly members: ObjectCache<MemberCluster>;
  private readonly placements: ObjectCache<Placement>;
  private readonly workloads: Record<WorkloadKind, ObjectCache<Workload>>;
  readonly snapshots: SnapshotReader;
  private readonly inflight: InflightCache;

  constructor(deps: {
    config: SchedulerConfig;
    members: ObjectCache<MemberCluster>;
    /** The Placements' cache; when it is also an event source, the service follows it (see `observed`). */
    placements: ObjectCache<Placement> & Partial<EventSource<Placement>>;
    workloads: Record<WorkloadKind, ObjectCache<Workload>>;
    snapshots: SnapshotReader;
  }) {
    this.config = deps.config;
    this.members = deps.members;
    this.placements = deps.placements;
    // What this replica wrote is kept until the informer delivers it; every Placement event says so.
    deps.placements.addHandler?.((type, p) => this.observed(p, type === "delete"));
    this.workloads = deps.workloads;
    this.snapshots = deps.snapshots;
    this.inflight = new InflightCache((cluster) => deps.snapshots.get(cluster));
  }

  workload(kind: WorkloadKind, namespace: string, name: string): Workload | undefined {
    return this.workloads[kind].get(name, namespace);
  }

  placement(kind: WorkloadKind, namespace: string, name: string): Placement | undefined {
    const key = `${namespace}/${placementName(kind, name)}`;
    return this.fresh(key) ?? this.placements.get(placementName(kind, name), namespace);
  }

  allPlacements(): Placement[] {
    const merged = new Map(this.placements.list().map((p) => [`${p.metadata.namespace}/${p.metadata.name}`, p]));
    for (const key of [...this.written.keys()]) {
      const p = this.fresh(key);
      if (p) merged.set(key, p);
    }
    return [...merged.values()];
  }

  /**
   * Records a decision before its write, inside the decision lock; `wrote` or `forget` follows on
   * every path of the write, so it is kept until then.
   */
  reserved(p: Placement): void {
    this.record(p, true);
  }

  /** Records a write; the entry is dropped once the informer has caught up with it. */
  wrote(p: Placement): void {
    this.record(p, false);
  }

  private record(p: Placement, pending: boolean): void {
    this.written.set(`${p.metadata.namespace}/${p.metadata.name}`, { placement: p, at: Date.now(), pending });
  }

  /** Forgets a write, e.g. after a conflict proved it stale. */
  forget(namespace: string, name: string): void {
    this.written.delete(`${namespace}/${name}`);
  }

  /** Called for every informer event of a Placement. */
  observed(p: Placement, deleted = false): void {
    const key = `${p.metadata.namespace}/${p.metadata.name}`;
    const mine = this.written.get(key);
    if (!mine) return;
    if (deleted || (!mine.pending && mine.placement.metadata.resourceVersion === p.metadata.resourceVersion)) this.written.delete(key);
  }

  /** A decided or written object, unless the informer should long since have delivered the write (then trust the cache). */
  private fresh(key: string): Placement | undefined {
    const entry = this.written.get(key);
    if (entry && !entry.pending && Date.now() - entry.at > 10_000) this.written.delete(key);
    return this.written.get(key)?.placement;
  }

  /** Runs decisions one at a time: each takes room the next must not be offered. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn);
    this.lock = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /** The member ranking used to find workloads a snapshot change can affect (a workload's tierOrder overrides the tier part). */
  rankOf(tierOrder?: readonly Tier[]): (cluster: string) => number {
    return rankOf(
      this.members.list().map((m) => ({ name: m.metadata.name!, tier: m.spec.tier, priority: m.spec.priority })),
      tierOrder,
    );
  }

  inputs(kind: WorkloadKind, w: Workload, nowMs: number, replicasOverride?: number): Inputs {
    const clusters = this.members.list().map((m) => clusterView(m, this.snapshots.get(m.metadata.name!), nowMs));
    const inflight = this.inflight.of(this.allPlacements(), (p) =>
      this.workloads[p.spec.workloadRef.kind as WorkloadKind]?.get(p.spec.workloadRef.name, p.metadata.namespace),
    );
    const ns = w.metadata.namespace!;
    const observed = Object.fromEntries(clusters.map((c) => [c.name, observedIn(this.snapshots.get(c.name), ns, kind, w.metadata.name!)]));
    const existing = this.placement(kind, ns, w.metadata.name!);
    const previous: PreviousPlacement | undefined = existing && {
      replicas: Object.fromEntries(existing.spec.clusters.map((c) => [c.name, c.replicas])),
      ...(existing.status?.failbackSince ? { failbackSinceMs: Date.parse(existing.status.failbackSince) } : {}),
    };
    const conflicts = dependencyConflictsOf(w);
    const request = {
      ...workloadRequest(`${ns}/${w.metadata.name}`, w.spec, replicasOverride),
      ...(conflicts ? { dependencyConflicts: conflicts } : {}),
    };
    const rollout = kind === "FederatedDeployment" && replicasOverride === undefined ? rolloutOf(w as FederatedDeployment) : undefined;
    const sts = kind === "FederatedStatefulSet" ? (w as FederatedStatefulSet) : undefined;
    return {
      request: rollout ? { ...request, rollout } : request,
      observed,
      previous,
      ...(sts
        ? {
            ordinals: {
              base: sts.spec.ordinals?.start ?? 0,
              ...(sts.spec.ordinalRanges ? { pinned: sts.spec.ordinalRanges } : {}),
              previous: existing ? rangesOf(existing.spec.clusters) : [],
              failbackSinceMs: previous?.failbackSinceMs,
              rolling: statefulRolling(sts),
            },
          }
        : {}),
      ctx: { clusters, inflight, nowMs, config: this.config },
    };
  }

  decide(inputs: Inputs): Decision {
    const ledgers = newLedgers(inputs.ctx);
    if (inputs.ordinals) return decideOrdinals(inputs.request, inputs.ordinals, inputs.observed, ledgers, inputs.ctx);
    return decide(inputs.request, inputs.observed, inputs.previous, ledgers, inputs.ctx);
  }
}
