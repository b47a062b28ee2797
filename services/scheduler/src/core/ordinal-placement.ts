/**
 * Placement of a FederatedStatefulSet: one contiguous ordinal range per member, so every pod
 * identity `<name>-<k>` (and its claims) lives in exactly one member StatefulSet
 * (`spec.ordinals.start`). The rules, as one StatefulSet of the whole fleet would have them:
 * - ranges are kept where they are; an ordinal changes member only at the edge of a range;
 * - the ordinals are exactly `[base, base + replicas)`: scaling down drops the highest ones
 *   (the top range is the worst-ranked member, so cloud drains first); scaling up appends at the
 *   top: the top range grows while its member has room, then a new range opens in the
 *   best-ranked member that fits; a change of `ordinals.start` is a scale-down at the bottom
 *   and a scale-up at the top, as it is for a StatefulSet;
 * - a member that is not Ready keeps its ordinals: it may still run them, and an ordinal must
 *   never run twice. Only a member that is gone (its MemberCluster deleted), fenced, or excluded
 *   by the workload's constraints gives its range up; that hole is filled from its neighbours
 *   or by a member without a range;
 * - failback moves one ordinal at a time across the boundary of two ranges (or into a better
 *   member that opens a range there), from the worse-ranked member to the better one, only after
 *   room has been seen for the hold-down, the last move has landed, and not during a rollout;
 * - pinned ranges (`spec.ordinalRanges`) are taken as given.
 */
import type { CapacityLedger } from "./capacity-ledger.ts";
import { landed, survey, unschedulableMessage, type PassContext } from "./decide.ts";
import type { ClusterAssignment, Decision, Observed, WorkloadRequest } from "./types.ts";

export interface OrdinalRange {
  cluster: string;
  start: number;
  count: number;
}

export interface OrdinalRequest {
  /** `spec.ordinals.start`: the lowest ordinal of the fleet. */
  base: number;
  /** `spec.ordinalRanges`, when the user pinned them. */
  pinned?: OrdinalRange[];
  /** The Placement's ranges. */
  previous: OrdinalRange[];
  failbackSinceMs?: number;
  /** The workload rolls out (its revisions differ): ordinals stay where they are. */
  rolling: boolean;
}

const end = (r: OrdinalRange) => r.start + r.count;
const formatRange = (r: Pick<OrdinalRange, "start" | "count">) => (r.count === 1 ? `${r.start}` : `${r.start}-${r.start + r.count - 1}`);

export function decideOrdinals(
  w: WorkloadRequest,
  o: OrdinalRequest,
  observed: Record<string, Observed>,
  ledgers: Map<string, CapacityLedger>,
  ctx: PassContext,
): Decision {
  const { rejected, rank, eligible, byName } = survey(w, ctx.clusters);
  const notes = new Map<string, string[]>();
  const note = (cluster: string, text: string) => notes.set(cluster, [...(notes.get(cluster) ?? []), text]);
  const result = (ranges: OrdinalRange[], unschedulable: number, message: string, failbackSinceMs?: number): Decision => ({
    clusters: [...ranges]
      .filter((r) => r.count > 0)
      .sort((a, b) => a.start - b.start)
      .map((r): ClusterAssignment => {
        const c = byName.get(r.cluster);
        const head = c ? `${c.tier} priority ${c.priority}` : "not a member cluster";
        return {
          name: r.cluster,
          replicas: r.count,
          ordinalStart: r.start,
          reason: [`${head}; ordinals ${formatRange(r)}`, ...(notes.get(r.cluster) ?? [])].join("; "),
        };
      }),
    unschedulable,
    message,
    ...(failbackSinceMs !== undefined ? { failbackSinceMs } : {}),
  });

  if (o.pinned) {
    const known = o.pinned.filter((r) => byName.has(r.cluster));
    const unknown = o.pinned.filter((r) => !byName.has(r.cluster));
    for (const r of known) {
      ledgers.get(r.cluster)!.take(w, r.count);
      note(r.cluster, "pinned by spec.ordinalRanges");
    }
    const lost = unknown.reduce((s, r) => s + r.count, 0);
    const message = unknown.length
      ? `spec.ordinalRanges names ${unknown.map((r) => `${r.cluster} (ordinals ${formatRange(r)})`).join(", ")}, not a member cluster: fix the cluster name or register the member`
      : "";
    return result(known, lost, message);
  }

  const top = o.base + w.replicas;
  const max = (name: string) => w.placement.bounds?.[name]?.max ?? Infinity;
  const maxClusters = w.placement.maxClusters ?? Infinity;
  // Keep each range where its member may still hold it; clip to [base, top).
  const ranges: OrdinalRange[] = [];
  for (const r of [...o.previous].filter((r) => r.count > 0).sort((a, b) => a.start - b.start)) {
    const c = byName.get(r.cluster);
    const why = rejected.get(r.cluster);
    if (!c) continue;
    if (c.fenced) {
      note(r.cluster, `released ordinals ${formatRange(r)}: the member is fenced`);
      continue;
    }
    if (why && why.plugin !== "ClusterReady") {
      note(r.cluster, `released ordinals ${formatRange(r)}: ${why.reason}`);
      continue;
    }
    const start = Math.max(r.start, o.base);
    const count = Math.min(end(r), top) - start;
    if (count < r.count) note(r.cluster, `scaled down by ${r.count - Math.max(0, count)}`);
    if (count > 0) ranges.push({ cluster: r.cluster, start, count });
  }
  // Look-ups by member: a decision over 10,000 ordinals and 100 members stays well under 2 ms.
  const byMember = () => new Map(ranges.map((r) => [r.cluster, r]));
  let held = byMember();
  const holding = (name: string) => held.has(name);
  const fits = (name: string, n: number) => {
    const room = max(name) - (held.get(name)?.count ?? 0);
    return room <= 0 ? 0 : Math.min(n, room, ledgers.get(name)!.fits(w, Math.min(n, room)));
  };
  const take = (name: string, n: number) => ledgers.get(name)!.take(w, n);
  const eligibleNames = new Set(eligible.map((c) => c.name));
  const isEligible = (name: string) => eligibleNames.has(name);

  // Holes: ordinals of [base, top) no range holds (a scale-up at the top, a released range).
  let changed = false;
  let cursor = o.base;
  for (const r of [...ranges]) {
    if (r.start > cursor) {
      fillHole(cursor, r.start);
      changed = true;
    }
    cursor = end(r);
  }
  if (cursor < top) {
    fillHole(cursor, top);
    changed = true;
  }

  function fillHole(from: number, to: number): void {
    let lo = from;
    let hi = to;
    // The range below grows upwards, then members without a range open one, best-ranked first;
    // the range above grows downwards into what is left.
    const below = ranges.find((r) => end(r) === lo);
    if (below && isEligible(below.cluster)) {
      const got = take(below.cluster, fits(below.cluster, hi - lo));
      if (got > 0) note(below.cluster, `+${got} ordinal(s) at the top`);
      below.count += got;
      lo += got;
    }
    for (const c of eligible) {
      if (lo >= hi) break;
      if (holding(c.name) || ranges.length >= maxClusters) continue;
      const got = take(c.name, fits(c.name, hi - lo));
      if (got <= 0) continue;
      ranges.push({ cluster: c.name, start: lo, count: got });
      held = byMember();
      note(c.name, below ? `new range: ${below.cluster} has no room for more` : "has room");
      lo += got;
    }
    const above = ranges.find((r) => r.start === to);
    if (above && lo < hi && isEligible(above.cluster)) {
      const got = take(above.cluster, fits(above.cluster, hi - lo));
      above.start -= got;
      above.count += got;
      hi -= got;
    }
  }

  let failbackSinceMs = changed ? undefined : o.failbackSinceMs;
  if (!changed && !o.rolling) failbackSinceMs = failback();

  /** One ordinal across one boundary towards a better-ranked member with room; the worst-ranked source first. */
  function failback(): number | undefined {
    ranges.sort((a, b) => a.start - b.start);
    const better = (a: string, b: string) => (rank.get(a) ?? Infinity) < (rank.get(b) ?? Infinity);
    const roomSeen = new Map<string, boolean>();
    const room = (name: string) => {
      if (!roomSeen.has(name)) roomSeen.set(name, isEligible(name) && fits(name, 1) > 0);
      return roomSeen.get(name)!;
    };
    // Members without a range: only the best-ranked one with room can be the best destination.
    const open = eligible.find((c) => !holding(c.name) && room(c.name));
    type Move = { from: OrdinalRange; to: string; edge: "bottom" | "top"; open: boolean };
    const moves: Move[] = [];
    ranges.forEach((s, i) => {
      const lower = ranges[i - 1];
      const upper = ranges[i + 1];
      if (lower && end(lower) === s.start && better(lower.cluster, s.cluster) && room(lower.cluster))
        moves.push({ from: s, to: lower.cluster, edge: "bottom", open: false });
      if (upper && upper.start === end(s) && better(upper.cluster, s.cluster) && room(upper.cluster))
        moves.push({ from: s, to: upper.cluster, edge: "top", open: false });
      if (open && (ranges.length < maxClusters || s.count === 1) && better(open.name, s.cluster))
        moves.push({ from: s, to: open.name, edge: "bottom", open: true });
    });
    if (moves.length === 0) return undefined;
    moves.sort(
      (a, b) => (rank.get(b.from.cluster) ?? 0) - (rank.get(a.from.cluster) ?? 0) || (rank.get(a.to) ?? 0) - (rank.get(b.to) ?? 0),
    );
    const since = o.failbackSinceMs ?? ctx.nowMs;
    if (ctx.nowMs - since < ctx.config.failbackHoldDownMs) return since;
    const placed = new Map(ranges.map((r) => [r.cluster, r.count]));
    if (!landed(placed, observed)) return since;
    const m = moves[0]!;
    take(m.to, 1);
    const ordinal = m.edge === "bottom" ? m.from.start : end(m.from) - 1;
    if (m.edge === "bottom") m.from.start += 1;
    m.from.count -= 1;
    const dest = ranges.find((r) => r.cluster === m.to);
    if (!dest) ranges.push({ cluster: m.to, start: ordinal, count: 1 });
    else if (m.edge === "bottom") dest.count += 1;
    else {
      dest.start -= 1;
      dest.count += 1;
    }
    note(m.to, `failback: ordinal ${ordinal} from ${m.from.cluster} (room seen for at least ${ctx.config.failbackHoldDownMs / 1000}s)`);
    note(m.from.cluster, `failback: ordinal ${ordinal} to ${m.to}`);
    return since;
  }

  const placed = ranges.reduce((s, r) => s + r.count, 0);
  const unschedulable = w.replicas - placed;
  return result(
    ranges,
    unschedulable,
    unschedulable > 0 ? unschedulableMessage(w, unschedulable, eligible, rejected, ledgers) : "",
    failbackSinceMs,
  );
}

/** The Placement's ranges, in ordinal order. */
export function rangesOf(clusters: Array<{ name: string; replicas: number; ordinalStart?: number }>): OrdinalRange[] {
  return clusters
    .filter((c) => c.ordinalStart !== undefined && c.replicas > 0)
    .map((c) => ({ cluster: c.name, start: c.ordinalStart!, count: c.replicas }))
    .sort((a, b) => a.start - b.start);
}
