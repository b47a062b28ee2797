/**
 * IDC first: members fill in tier order (default `idc`, then `cloud`; a workload's
 * `placement.tierOrder` overrides it), then by `spec.priority` (lower first), then by name so the
 * order is total and stable. The scheduler places by it, finds the workloads a snapshot change can
 * affect by it, and fleet-root hands out rollout budget by it: one ranking for all three.
 */
import { TIERS, type Tier } from "@spillway/api";

export interface RankedMember {
  name: string;
  tier: Tier;
  priority: number;
}

/** The sort key of a member; compare keys element by element, lower first. */
export function rankKey(m: RankedMember, tierOrder?: readonly Tier[]): [number, number, string] {
  const order = tierOrder?.length ? tierOrder : TIERS;
  const i = order.indexOf(m.tier);
  return [i < 0 ? order.length : i, m.priority, m.name];
}

export function compareRank(a: RankedMember, b: RankedMember, tierOrder?: readonly Tier[]): number {
  const ka = rankKey(a, tierOrder);
  const kb = rankKey(b, tierOrder);
  return ka[0] - kb[0] || ka[1] - kb[1] || (ka[2] < kb[2] ? -1 : ka[2] > kb[2] ? 1 : 0);
}

/** Rank of each member (0 fills first); a name not among `members` ranks after all of them. */
export function rankOf(members: readonly RankedMember[], tierOrder?: readonly Tier[]): (name: string) => number {
  const sorted = [...members].sort((a, b) => compareRank(a, b, tierOrder));
  const rank = new Map(sorted.map((m, i) => [m.name, i]));
  return (name) => rank.get(name) ?? sorted.length;
}
