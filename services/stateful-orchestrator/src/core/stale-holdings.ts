/**
 * An ordinal's data lives in its volume claims, which cannot follow it from one member to another.
 * So the orchestrator keeps one copy: where an ordinal's claims are, and which go.
 *
 * - **Stale holdings.** Two members holding one ordinal (range, pod or claim) happens only when a
 *   fenced member comes back: the ordinal was started elsewhere while its pods and claims there
 *   were out of reach. The member that made its pods or claims of the ordinal last holds the
 *   ordinal's newest data; every other member's holding of it is stale. Creation times are the
 *   members' clocks, compared across a fence (minutes), not across a move (milliseconds). Equal
 *   or missing times decide nothing: nobody is stale, nothing is deleted.
 * - **Claims released.** A member's claim of an ordinal it no longer runs (no pod, outside its
 *   range) is deleted when the ordinal is placed in another member (it moves: the copy left
 *   behind would be re-attached with old data if the ordinal ever came back) or when it is stale.
 *   An ordinal placed nowhere (scaled away) keeps its claim, as a StatefulSet's
 *   `whenScaled: Retain` keeps it, and gets it back if it returns to that member. Never the
 *   current holder's claim while a stale copy is around.
 */
import { contains, type Range } from "./ordinal-steps.ts";

export interface Holding {
  name: string;
  /** What its StatefulSet covers (or was just written to cover). */
  spec: Range | undefined;
  pods: Array<{ ordinal: number; createdMs?: number }>;
  claims: Array<{ ordinal: number; createdMs: number }>;
}

/** By member: the ordinals it holds stale. Only live members (not gone or fenced) are passed. */
export function staleOrdinals(members: Holding[]): Map<string, Set<number>> {
  const holders = new Map<number, Map<string, number>>();
  const note = (k: number, member: string, createdMs: number) => {
    const byMember = holders.get(k) ?? new Map<string, number>();
    byMember.set(member, Math.max(byMember.get(member) ?? -Infinity, createdMs));
    holders.set(k, byMember);
  };
  for (const m of members) {
    for (const p of m.pods) note(p.ordinal, m.name, p.createdMs ?? -Infinity);
    for (const c of m.claims) note(c.ordinal, m.name, c.createdMs);
  }
  // A range alone (no pod, no claim yet) is the oldest evidence there is.
  for (const m of members)
    if (m.spec) for (let k = m.spec.start; k < m.spec.start + m.spec.count; k++) if (holders.has(k)) note(k, m.name, -Infinity);
  const out = new Map(members.map((m) => [m.name, new Set<number>()]));
  for (const [k, byMember] of holders) {
    if (byMember.size < 2) continue;
    const newest = Math.max(...byMember.values());
    const atNewest = [...byMember].filter(([, t]) => t === newest);
    if (atNewest.length !== 1 || newest === -Infinity) continue;
    for (const [member, t] of byMember) if (t < newest) out.get(member)!.add(k);
  }
  return out;
}

export interface ClaimRelease {
  cluster: string;
  name: string;
  ordinal: number;
  why: "moved" | "stale";
}

/**
 * The claims to delete now: in a member that may be written, of an ordinal it no longer runs
 * (outside both the range it has and the one it is given next, no pod of it left), moved or stale.
 */
export function claimReleases(input: {
  members: Array<
    Holding & {
      writable: boolean;
      next: Range | undefined;
      claims: Array<{ ordinal: number; createdMs: number; name: string; terminating: boolean }>;
    }
  >;
  /** The Placement's owner of each ordinal it wants. */
  owner: ReadonlyMap<number, string>;
  stale: ReadonlyMap<string, ReadonlySet<number>>;
}): ClaimRelease[] {
  const staleAnywhere = (k: number) => [...input.stale.values()].some((s) => s.has(k));
  const out: ClaimRelease[] = [];
  for (const m of input.members) {
    if (!m.writable) continue;
    const running = new Set(m.pods.map((p) => p.ordinal));
    for (const c of m.claims) {
      const k = c.ordinal;
      if (c.terminating || running.has(k) || contains(m.spec, k) || contains(m.next, k)) continue;
      if (input.stale.get(m.name)?.has(k)) out.push({ cluster: m.name, name: c.name, ordinal: k, why: "stale" });
      else if (!staleAnywhere(k) && input.owner.has(k) && input.owner.get(k) !== m.name)
        out.push({ cluster: m.name, name: c.name, ordinal: k, why: "moved" });
    }
  }
  return out;
}
