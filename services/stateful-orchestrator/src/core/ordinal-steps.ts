/**
 * The one guarantee a StatefulSet user cannot lose, as a pure step function: an ordinal never
 * runs in two members at once, and is never started in a member while another may still run it.
 *
 * From the ranges the Placement wants and what each member holds now (the range its
 * StatefulSet's spec covers, the pods it still has, terminating ones included), one step gives
 * each reachable member the range to write next:
 * - **Release at the edges.** A member gives up ordinals it is not to hold only at the edges of
 *   its range (raise `ordinals.start`, lower `replicas`). An ordinal that moves to another member
 *   is released only when that member can take it next (its range is empty or ends right there),
 *   and only within the move budget (`maxUnavailable` less the ordinals unavailable now), so
 *   moves go one at a time by default. Under OrderedReady an ordinal leaving the fleet goes only
 *   after every higher one has left (scale-down from the top, fleet-wide).
 * - **Grow only into free ordinals.** A member takes an ordinal only when no other member holds
 *   it: not in its spec, no pod of it there, not even terminating, and no volume claim of it (a
 *   moved ordinal's claim is deleted in the member it left before it starts anywhere else, so
 *   its data exists once). An unreachable member holds what it last held; a gone or fenced one
 *   holds nothing.
 * - **What a fenced member left behind goes first.** Where two members hold one ordinal (only a
 *   fenced member come back does that), the one holding it stale (`stale-holdings.ts`) releases it
 *   whatever the Placement says, and the current holder keeps it, without moving it anywhere,
 *   until the stale pods and claims are gone.
 * - **OrderedReady across members.** A member starts new ordinals only once every lower ordinal
 *   the fleet wants is available, wherever it runs. Parallel starts them at once.
 */

export interface Range {
  start: number;
  count: number;
}

export interface MemberHolding {
  name: string;
  /** The range the member StatefulSet's spec covers now; undefined when there is none. */
  spec: Range | undefined;
  /** Ordinals of the workload's pods in the member, terminating ones included. */
  pods: number[];
  /** Ordinals whose pod is available there (Ready for minReadySeconds). */
  available: number[];
  /** Ordinals with a volume claim there, terminating ones included. */
  claims: number[];
  /** Ordinals it holds stale: another member holds newer pods or claims of them. */
  stale: number[];
  /** Listed, Ready, and ours to write. */
  reachable: boolean;
  /** Its MemberCluster is gone or fenced: it holds nothing any more. */
  gone: boolean;
}

export interface StepInput {
  /** The Placement's ranges. */
  desired: Array<Range & { cluster: string }>;
  members: MemberHolding[];
  orderedReady: boolean;
  /** `maxUnavailable`, at least 1: how many ordinals may be unavailable at once for moves. */
  moveBudget: number;
}

export interface MemberStep {
  /** The range to write; undefined: write nothing (unreachable or gone). */
  next: Range | undefined;
  /** Why the member is not at its desired range yet. */
  waiting?: string;
}

export const end = (r: Range) => r.start + r.count;
export const contains = (r: Range | undefined, k: number) => !!r && k >= r.start && k < end(r);
export const formatOrdinals = (from: number, to: number) => (to - from === 1 ? `${from}` : `${from}-${to - 1}`);

export function step(input: StepInput): Map<string, MemberStep> {
  const owner = new Map<number, string>();
  for (const d of input.desired) for (let k = d.start; k < end(d); k++) owner.set(k, d.cluster);
  const desiredOf = (m: string) => input.desired.find((d) => d.cluster === m);
  const live = input.members.filter((m) => !m.gone);
  // Pod look-ups by set: growth asks every member about every ordinal it would take.
  const podsOf = new Map(input.members.map((m) => [m.name, new Set(m.pods)]));
  const claimsOf = new Map(input.members.map((m) => [m.name, new Set(m.claims)]));
  const staleOf = new Map(input.members.map((m) => [m.name, new Set(m.stale)]));
  const holds = (m: MemberHolding, k: number) => contains(m.spec, k) || podsOf.get(m.name)!.has(k) || claimsOf.get(m.name)!.has(k);
  const heldElsewhere = (name: string, k: number) => live.find((m) => m.name !== name && holds(m, k));
  /** Why another member's holding keeps k from `name`: a pod or range, or only a claim being removed. */
  const heldWhy = (other: MemberHolding, k: number) =>
    contains(other.spec, k) || podsOf.get(other.name)!.has(k)
      ? `ordinal ${k} is still held by ${other.name}`
      : `ordinal ${k}'s volume claim in ${other.name} goes first`;
  const availableAnywhere = new Set(live.flatMap((m) => m.available));
  const specOf = (name: string) => input.members.find((m) => m.name === name)?.spec;
  /** The ordinal's new owner can take it next: its range is empty or ends right there. */
  const takesNext = (k: number) => {
    const s = specOf(owner.get(k)!);
    return !s || s.count === 0 || end(s) === k || s.start === k + 1;
  };
  /** Pods of ordinals leaving the fleet, above k, still in another member. */
  const higherLeaving = (name: string, k: number) => live.some((m) => m.name !== name && m.pods.some((p) => p > k && !owner.has(p)));
  const writable = input.members.filter((m) => !m.gone && m.reachable);

  // Pass 1: growth, into free ordinals of the desired range, from what the member keeps of it.
  const grown = new Map<string, { lo: number; hi: number; waits: string[] }>();
  for (const m of writable) {
    const d = desiredOf(m.name);
    const waits: string[] = [];
    const c = m.spec && m.spec.count > 0 ? m.spec : undefined;
    let lo = c ? Math.max(c.start, d?.start ?? 0) : 0;
    let hi = c && d ? Math.min(end(c), end(d)) : lo;
    if (!d || d.count === 0) {
      grown.set(m.name, { lo: 0, hi: 0, waits });
      continue;
    }
    const free = (k: number) => {
      const other = heldElsewhere(m.name, k);
      if (other) waits.push(heldWhy(other, k));
      return !other;
    };
    const stale = [...staleOf.get(m.name)!].sort((a, b) => a - b);
    if (stale.length) {
      // It came back from a fence: nothing here starts until what it left behind is gone.
      grown.set(m.name, {
        lo: 0,
        hi: 0,
        waits: [`gives up ordinals ${stale.join(",")} first: they ran elsewhere while it was fenced`],
      });
      continue;
    }
    if (hi <= lo) {
      // Nothing of the desired range kept: start next to what the member holds, else at the lowest free ordinal.
      const adjacent = c
        ? end(c) >= d.start && end(c) <= end(d)
          ? end(c)
          : c.start >= d.start && c.start <= end(d)
            ? c.start
            : undefined
        : undefined;
      if (c && adjacent === undefined) {
        // A range must stay contiguous: grow once what it holds outside has been released.
        grown.set(m.name, { lo: 0, hi: 0, waits: [`holds ordinals ${formatOrdinals(c.start, end(c))} to give up first`] });
        continue;
      }
      let k = adjacent ?? d.start;
      if (adjacent === undefined) while (k < end(d) && !free(k)) k++;
      lo = hi = k;
    }
    let glo = lo;
    let ghi = hi;
    while (ghi < end(d) && free(ghi)) ghi++;
    while (glo > d.start && free(glo - 1)) glo--;
    const fresh: number[] = [];
    for (let k = glo; k < ghi; k++) if (!(k >= lo && k < hi) && !contains(c, k) && !podsOf.get(m.name)!.has(k)) fresh.push(k);
    const lowestNew = fresh.length ? Math.min(...fresh) : undefined;
    const lowerUnavailable =
      lowestNew === undefined
        ? undefined
        : [...owner.keys()].find((k) => k < lowestNew && !availableAnywhere.has(k) && !(k >= glo && k < ghi));
    if (input.orderedReady && lowerUnavailable !== undefined) {
      waits.push(`ordinal ${lowestNew} starts once ordinal ${lowerUnavailable} is Ready (OrderedReady)`);
      grown.set(m.name, { lo, hi, waits });
    } else grown.set(m.name, { lo: glo, hi: ghi, waits });
  }

  // Pass 2: releases, at the edges. Moves spend the budget, counted against the ordinals the
  // fleet wants that are unavailable while held somewhere or about to be started.
  const growing = (k: number) => [...grown.values()].some((g) => k >= g.lo && k < g.hi);
  // A claim counts only where it is left behind by a move (its owner is another member): one kept
  // for the member's own next start (whenScaled: Retain) is not an ordinal in flight.
  const inFlight = (m: MemberHolding, k: number) =>
    holds(m, k) && (contains(m.spec, k) || podsOf.get(m.name)!.has(k) || owner.get(k) !== m.name);
  const unavailable = [...owner.keys()].filter((k) => !availableAnywhere.has(k) && (live.some((m) => inFlight(m, k)) || growing(k))).length;
  const releaseAll = (relaxed: boolean) => {
    let budget = Math.max(1, input.moveBudget) - unavailable;
    const out = new Map<string, MemberStep>();
    // Top range first: the budget goes to the highest ordinals.
    const order = [...input.members].sort((a, b) => (b.spec?.start ?? -1) - (a.spec?.start ?? -1));
    for (const m of order) {
      if (m.gone || !m.reachable) {
        out.set(m.name, {
          next: undefined,
          ...(m.gone
            ? {}
            : {
                waiting: `unreachable: keeps ${m.spec && m.spec.count ? `ordinals ${formatOrdinals(m.spec.start, end(m.spec))}` : "what it holds"}`,
              }),
        });
        continue;
      }
      const d = desiredOf(m.name);
      const g = grown.get(m.name)!;
      const waits = [...g.waits];
      const c = m.spec && m.spec.count > 0 ? m.spec : undefined;
      let lo = c?.start ?? 0;
      let hi = c ? end(c) : 0;
      const staleHere = staleOf.get(m.name)!;
      const release = (k: number): boolean => {
        if (staleHere.has(k)) return true;
        // Another member left k behind stale: k stays here, the one live copy, until that is gone.
        const contested = live.find((o) => o.name !== m.name && staleOf.get(o.name)!.has(k));
        if (contested) {
          waits.push(`ordinal ${k} stays until ${contested.name} has given up what it left behind`);
          return false;
        }
        const to = owner.get(k);
        if (to === m.name) return false;
        if (to === undefined) {
          if (input.orderedReady && higherLeaving(m.name, k)) {
            waits.push(`ordinal ${k} leaves after the higher ordinals have (OrderedReady)`);
            return false;
          }
          return true;
        }
        // Its new owner already holds it (a fenced member came back): nothing moves, it just leaves here.
        const o = input.members.find((x) => x.name === to);
        if (o && !o.gone && contains(o.spec, k)) return true;
        if (!takesNext(k) && !relaxed) return false;
        if (budget <= 0) {
          waits.push(`ordinal ${k} moves to ${to} once fewer than ${Math.max(1, input.moveBudget)} ordinal(s) are unavailable`);
          return false;
        }
        budget--;
        return true;
      };
      const leaves = (k: number) => !contains(d, k) || staleHere.has(k);
      while (hi > lo && leaves(hi - 1) && release(hi - 1)) hi--;
      while (hi > lo && leaves(lo) && release(lo)) lo++;
      // What is left of the current range joined with the growth, if they touch.
      if (g.hi > g.lo) {
        if (hi <= lo) [lo, hi] = [g.lo, g.hi];
        else if (g.lo <= hi && g.hi >= lo) [lo, hi] = [Math.min(lo, g.lo), Math.max(hi, g.hi)];
      }
      const next = hi > lo ? { start: lo, count: hi - lo } : { start: d?.start ?? lo, count: 0 };
      const atDesired = d ? next.start === d.start && next.count === d.count : next.count === 0;
      out.set(m.name, { next, ...(atDesired || waits.length === 0 ? {} : { waiting: waits[0] }) });
    }
    return out;
  };
  const out = releaseAll(false);
  // Ranges traded in a cycle (a pinned reshuffle) can leave no member able to take its next
  // ordinal: when the fleet is settled and nothing would change, an ordinal is released ahead
  // of its new owner (it is unavailable a little longer; the budget still bounds it).
  const unchanged = writable.every((m) => {
    const n = out.get(m.name)?.next;
    const c = m.spec && m.spec.count > 0 ? m.spec : undefined;
    return n && (c ? n.start === c.start && n.count === c.count : n.count === 0);
  });
  const settled = live.every((m) => m.pods.length === m.available.length);
  const reached = input.desired.every((d) => {
    const s = specOf(d.cluster);
    return s && s.start === d.start && s.count === d.count;
  });
  return unchanged && settled && !reached ? releaseAll(true) : out;
}
