/**
 * The placement decision for one workload: filter → order → assign, over capacity ledgers that a
 * whole pass shares. Stability rules:
 * - existing assignments are kept; scaling up adds in tier order where the simulation finds room;
 * - scaling down takes from not-Ready members first, then the lowest tier, then the member with
 *   the most replicas;
 * - replicas leave a member only when it has been not Ready longer than the failover grace, when
 *   the workload's constraints exclude it, or when they have been Pending-unschedulable there longer
 *   than the threshold;
 * - failback moves at most `failbackStep` replicas to a better-ranked member, only after room there
 *   has been seen for the hold-down and the previous step has fully landed;
 * - while the workload rolls out, failback waits (it would take the room the rollout surges into;
 *   its hold-down is kept, not restarted),
 *   and a member fleet-root reports stalled (old pods, no room for a surge pod there) lends up to
 *   `failbackStep` replicas to members with room, one step at a time; failback brings them home
 *   after the rollout.
 */
import { toResourceList, type ResourceVector } from "@spillway/resources";
import { CapacityLedger } from "./capacity-ledger.ts";
import { filterPlugins, scorePlugin } from "./plugins/index.ts";
import type { ClusterView, Decision, MemberRoom, Observed, PreviousPlacement, SchedulerConfig, WorkloadRequest } from "./types.ts";

export interface InflightReplicas {
  workload: WorkloadRequest;
  cluster: string;
  replicas: number;
}

/** What every decision of a pass shares. */
export interface PassContext {
  clusters: ClusterView[];
  /** Replicas placed earlier whose pods do not hold resources in the snapshots yet. */
  inflight: InflightReplicas[];
  nowMs: number;
  config: SchedulerConfig;
}

export function newLedgers(ctx: PassContext): Map<string, CapacityLedger> {
  const ledgers = new Map(ctx.clusters.map((c) => [c.name, new CapacityLedger(c)]));
  for (const f of ctx.inflight) if (f.replicas > 0) ledgers.get(f.cluster)?.take(f.workload, f.replicas);
  return ledgers;
}

function compareKeys(a: readonly (string | number)[], b: readonly (string | number)[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] === b[i]) continue;
    return a[i]! < b[i]! ? -1 : 1;
  }
  return 0;
}

const sum = (m: Map<string, number>) => [...m.values()].reduce((s, n) => s + n, 0);

/** The members in fill order, by name and by rank: the same for every workload of a score key, so sorted once per pass. */
interface Ordering {
  ordered: ClusterView[];
  rank: Map<string, number>;
  byName: Map<string, ClusterView>;
}
const orderings = new WeakMap<ClusterView[], Map<string, Ordering>>();

function orderingOf(w: WorkloadRequest, clusters: ClusterView[]): Ordering {
  let byKey = orderings.get(clusters);
  if (!byKey) orderings.set(clusters, (byKey = new Map()));
  const key = scorePlugin.scoreKey ? scorePlugin.scoreKey(w) : undefined;
  const cached = key === undefined ? undefined : byKey.get(key);
  if (cached) return cached;
  const keys = new Map(clusters.map((c) => [c, scorePlugin.score!(w, c)]));
  const ordered = [...clusters].sort((a, b) => compareKeys(keys.get(a)!, keys.get(b)!));
  const ordering = { ordered, rank: new Map(ordered.map((c, i) => [c.name, i])), byName: new Map(clusters.map((c) => [c.name, c])) };
  if (key !== undefined) byKey.set(key, ordering);
  return ordering;
}

/** Which members the workload may use (filters), in the order it fills them (score), and why the others are out. */
export function survey(w: WorkloadRequest, clusters: ClusterView[]) {
  const rejected = new Map<string, { plugin: string; reason: string }>();
  for (const c of clusters) {
    for (const p of filterPlugins) {
      const r = p.filter!(w, c);
      if (r.code !== "Success") {
        rejected.set(c.name, { plugin: p.name, reason: r.reason });
        break;
      }
    }
  }
  const { ordered, rank, byName } = orderingOf(w, clusters);
  return { rejected, ordered, rank, eligible: rejected.size ? ordered.filter((c) => !rejected.has(c.name)) : ordered, byName };
}

export function decide(
  w: WorkloadRequest,
  observed: Record<string, Observed>,
  previous: PreviousPlacement | undefined,
  ledgers: Map<string, CapacityLedger>,
  ctx: PassContext,
): Decision {
  const { config } = ctx;
  const notes = new Map<string, string[]>();
  const note = (cluster: string, text: string) => notes.set(cluster, [...(notes.get(cluster) ?? []), text]);

  const { rejected, ordered, rank, eligible, byName } = survey(w, ctx.clusters);
  const max = (name: string) => w.placement.bounds?.[name]?.max ?? Infinity;

  // Keep what was placed, unless the member is gone, excluded, or down past the grace period.
  const assigned = new Map<string, number>();
  for (const [name, n] of Object.entries(previous?.replicas ?? {})) {
    if (n <= 0) continue;
    const c = byName.get(name);
    const why = rejected.get(name);
    if (!c) continue;
    if (why && why.plugin !== "ClusterReady") {
      note(name, `released ${n}: ${why.reason}`);
      continue;
    }
    if (!c.ready && c.notReadyForMs > config.failoverGraceMs) {
      note(name, `failover: ${n} replica(s) moved, not Ready longer than the ${config.failoverGraceMs / 1000}s grace`);
      continue;
    }
    assigned.set(name, Math.min(n, max(name)));
  }

  // Replicas stuck Pending-unschedulable in a member past the threshold go where there is room.
  const full = new Set<string>();
  for (const [name, n] of assigned) {
    const o = observed[name];
    if (!o || o.unschedulable <= 0 || o.oldestUnschedulableMs < config.pendingThresholdMs) continue;
    const stuck = Math.min(o.unschedulable, n);
    assigned.set(name, n - stuck);
    full.add(name);
    note(name, `${stuck} replica(s) Pending unschedulable longer than ${config.pendingThresholdMs / 1000}s moved to clusters with room`);
  }

  let failbackSinceMs = previous?.failbackSinceMs;
  const total = sum(assigned);
  if (total > w.replicas) {
    scaleDown(w, assigned, total - w.replicas, byName, note);
    failbackSinceMs = undefined;
  } else if (total < w.replicas) {
    place(w, assigned, w.replicas - total, eligible, full, ledgers, note);
    failbackSinceMs = undefined;
  } else if (full.size === 0 && w.rollout) {
    lend(w, w.rollout, assigned, observed, eligible, ledgers, note);
    // The hold-down is kept, not restarted: a member growing by failback looks like a rollout for
    // a moment (its pods count as updated only once it has observed its new spec).
    failbackSinceMs = previous?.failbackSinceMs;
  } else if (full.size === 0) {
    failbackSinceMs = failback(w, assigned, observed, previous, eligible, rank, ledgers, ctx, note);
  }

  const clusters = ordered
    .filter((c) => (assigned.get(c.name) ?? 0) > 0)
    .map((c) => ({
      name: c.name,
      replicas: assigned.get(c.name)!,
      reason: [`${c.tier} priority ${c.priority}`, ...(notes.get(c.name) ?? [])].join("; "),
    }));
  const unschedulable = w.replicas - sum(assigned);
  return {
    clusters,
    unschedulable,
    message: unschedulable > 0 ? unschedulableMessage(w, unschedulable, eligible, rejected, ledgers) : "",
    ...(failbackSinceMs !== undefined ? { failbackSinceMs } : {}),
    ...(w.rollout ? { room: surgeRoom(w, eligible, ledgers) } : {}),
  };
}

/** What fits beside this decision in each eligible member, up to one surge step; what is short where nothing does. */
function surgeRoom(w: WorkloadRequest, eligible: ClusterView[], ledgers: Map<string, CapacityLedger>): MemberRoom[] {
  return eligible.map((c) => {
    const pods = ledgers.get(c.name)!.fits(w, w.failbackStep);
    return pods > 0 ? { name: c.name, pods } : { name: c.name, pods, short: shortfall(w, [c], ledgers) };
  });
}

/** The last move has landed: every assigned replica is bound in its member's snapshot. */
export const landed = (assigned: Map<string, number>, observed: Record<string, Observed>) =>
  [...assigned.entries()].every(([name, n]) => (observed[name]?.bound ?? 0) >= n);

/**
 * Stalled members lend replicas to members with room, best-ranked first, at most `failbackStep`
 * in all and only once the previous move has landed; a report judged against another placement
 * of the member (it already lent), or for a member where a pod fits by now, is stale and
 * ignored, so nothing is lent twice.
 */
function lend(
  w: WorkloadRequest,
  { stalled, withOldPods }: NonNullable<WorkloadRequest["rollout"]>,
  assigned: Map<string, number>,
  observed: Record<string, Observed>,
  eligible: ClusterView[],
  ledgers: Map<string, CapacityLedger>,
  note: (c: string, t: string) => void,
): void {
  if (!landed(assigned, observed)) return;
  // A member still holding old pods would grow old pods too (a Deployment scales its old
  // ReplicaSet when it holds no new one): loans go only to members on the new template.
  const lenders = new Set([...stalled.map((s) => s.cluster), ...withOldPods]);
  let step = w.failbackStep;
  for (const c of eligible) {
    const s = stalled.find((x) => x.cluster === c.name);
    const have = assigned.get(c.name) ?? 0;
    if (!s || step <= 0 || have === 0 || have !== s.placedReplicas) continue;
    // Out of date: pods are still leaving the member (its snapshot holds more than it is placed),
    // or room has appeared there since.
    if ((observed[c.name]?.bound ?? 0) > have || ledgers.get(c.name)!.fits(w, 1) > 0) continue;
    const want = Math.min(step, s.replicas, have);
    // The lender still counts as used while its loan is placed, so a loan never opens a member
    // beyond maxClusters (part of it might fit nowhere and stay with the lender).
    const got = place(w, assigned, want, eligible, lenders, ledgers, note, `lent by ${c.name} for the rollout`);
    assigned.set(c.name, have - got);
    if (got > 0) note(c.name, `lent ${got} for the rollout: no room here for a surge pod`);
    step -= got;
  }
}

function scaleDown(
  w: WorkloadRequest,
  assigned: Map<string, number>,
  excess: number,
  byName: Map<string, ClusterView>,
  note: (c: string, t: string) => void,
): void {
  const removed = new Map<string, number>();
  const min = (name: string) => w.placement.bounds?.[name]?.min ?? 0;
  while (excess > 0) {
    let pick: string | undefined;
    let pickKey: (string | number)[] = [];
    for (const [name, n] of assigned) {
      if (n <= min(name)) continue;
      const c = byName.get(name)!;
      // Not Ready first, then the lowest tier (cloud before IDC), then the most replicas, then the
      // member filled last (highest priority number).
      const tier = scorePlugin.score!(w, c)[0] as number;
      const key = [c.ready ? 1 : 0, -tier, -n, -c.priority, name];
      if (pick === undefined || compareKeys(key, pickKey) < 0) {
        pick = name;
        pickKey = key;
      }
    }
    if (pick === undefined) break; // every member is at its minReplicas
    assigned.set(pick, assigned.get(pick)! - 1);
    removed.set(pick, (removed.get(pick) ?? 0) + 1);
    excess--;
  }
  for (const [name, n] of removed) note(name, `scaled down by ${n}`);
}

/** Places `need` replicas in tier order where the ledgers find room; returns how many it placed. */
function place(
  w: WorkloadRequest,
  assigned: Map<string, number>,
  need: number,
  eligible: ClusterView[],
  full: Set<string>,
  ledgers: Map<string, CapacityLedger>,
  note: (c: string, t: string) => void,
  reason?: string,
): number {
  const wanted = need;
  const maxClusters = w.placement.maxClusters ?? Infinity;
  // Members holding replicas, counted once and kept as replicas are added (never removed here).
  let used = 0;
  for (const n of assigned.values()) if (n > 0) used++;
  const max = (name: string) => w.placement.bounds?.[name]?.max ?? Infinity;
  const min = (name: string) => w.placement.bounds?.[name]?.min ?? 0;
  // Called for every eligible member of every placement: the notes are written by the callers,
  // only where replicas were added, so no message is built for the members that got none.
  const add = (c: ClusterView, want: number) => {
    if (want <= 0 || full.has(c.name)) return 0;
    const have = assigned.get(c.name) ?? 0;
    if (have === 0 && used >= maxClusters) return 0;
    const got = ledgers.get(c.name)!.take(w, Math.min(want, max(c.name) - have));
    if (got > 0) {
      if (have === 0) used++;
      assigned.set(c.name, have + got);
    }
    return got;
  };
  // Per-cluster minimums first, then fill in order: a lower tier gets what the higher could not hold.
  if (w.placement.bounds)
    for (const c of eligible) {
      const got = add(c, Math.min(need, min(c.name) - (assigned.get(c.name) ?? 0)));
      if (got > 0) note(c.name, `+${got} for placement minReplicas`);
      need -= got;
    }
  const skipped: string[] = [];
  for (const c of eligible) {
    if (need <= 0) break;
    const got = add(c, need);
    if (got > 0) note(c.name, `+${got} ${reason ?? (skipped.length ? `overflow: ${skipped.join(", ")} full` : "has room")}`);
    need -= got;
    if (got === 0 || need > 0) skipped.push(c.name);
  }
  return wanted - need;
}

function failback(
  w: WorkloadRequest,
  assigned: Map<string, number>,
  observed: Record<string, Observed>,
  previous: PreviousPlacement | undefined,
  eligible: ClusterView[],
  rank: Map<string, number>,
  ledgers: Map<string, CapacityLedger>,
  ctx: PassContext,
  note: (c: string, t: string) => void,
): number | undefined {
  const holders = [...assigned.entries()].filter(([, n]) => n > 0).sort((a, b) => (rank.get(b[0]) ?? 0) - (rank.get(a[0]) ?? 0));
  const from = holders[0]?.[0];
  if (!from) return undefined;
  const max = (name: string) => w.placement.bounds?.[name]?.max ?? Infinity;
  const used = holders.length;
  const to = eligible.find(
    (c) =>
      (rank.get(c.name) ?? 0) < (rank.get(from) ?? 0) &&
      (assigned.get(c.name) ?? 0) < max(c.name) &&
      ((assigned.get(c.name) ?? 0) > 0 || used < (w.placement.maxClusters ?? Infinity)) &&
      ledgers.get(c.name)!.fits(w, 1) > 0,
  );
  if (!to) return undefined;
  const since = previous?.failbackSinceMs ?? ctx.nowMs;
  if (ctx.nowMs - since < ctx.config.failbackHoldDownMs) return since;
  // One step at a time: the last move must have landed first.
  if (!landed(assigned, observed)) return since;
  const want = Math.min(Math.max(1, w.failbackStep), assigned.get(from)!, max(to.name) - (assigned.get(to.name) ?? 0));
  const moved = ledgers.get(to.name)!.take(w, want);
  if (moved <= 0) return since;
  assigned.set(from, assigned.get(from)! - moved);
  assigned.set(to.name, (assigned.get(to.name) ?? 0) + moved);
  note(to.name, `failback: +${moved} from ${from} (room seen for at least ${ctx.config.failbackHoldDownMs / 1000}s)`);
  note(from, `failback: -${moved} to ${to.name}`);
  return since;
}

const formatAmount = (resource: string, v: number) => toResourceList({ [resource]: v })[resource]!;

export function unschedulableMessage(
  w: WorkloadRequest,
  count: number,
  eligible: ClusterView[],
  rejected: Map<string, { reason: string }>,
  ledgers: Map<string, CapacityLedger>,
): string {
  const head = `${count} of ${w.replicas} replica(s) fit nowhere`;
  if (eligible.length === 0) {
    const reasons = [...new Set([...rejected.values()].map((r) => r.reason))];
    return `${head}: no member cluster is eligible (${reasons.join("; ") || "no member clusters registered"})`;
  }
  return `${head}: ${shortfall(w, eligible, ledgers)}`;
}

/** What keeps one more replica out of these (eligible) members. */
function shortfall(w: WorkloadRequest, eligible: ClusterView[], ledgers: Map<string, CapacityLedger>): string {
  let eligibleNodes = 0;
  const largest: ResourceVector = {};
  for (const c of eligible) {
    const l = ledgers.get(c.name)!.largestFree(w);
    eligibleNodes += l.eligibleNodes;
    for (const [r, v] of Object.entries(l.largest)) largest[r] = Math.max(largest[r] ?? 0, v);
  }
  const names = eligible.map((c) => c.name).join(", ");
  if (eligibleNodes === 0) return `no node in ${names} matches the pod's nodeSelector, node affinity and tolerations`;
  const short = Object.entries(w.perReplica)
    .filter(([r, need]) => need > (largest[r] ?? 0))
    .map(([r, need]) => `needs ${formatAmount(r, need)} ${r} per replica; largest free node has ${formatAmount(r, largest[r] ?? 0)}`);
  if (short.length) return short.join("; ");
  return eligible.length === 1 ? `${names} is full` : `the eligible clusters (${names}) are full`;
}
