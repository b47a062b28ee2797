/**
 * Which member keeps a name that several members' objects share (the fleet API, ADR 0008): the
 * fleet's one ranking, IDC first, then priority, then name — the scheduler's order, from
 * `@spillway/rules`. `order` tells whether the ranking changed, which moves shared names.
 */
import type { MemberCluster } from "@spillway/api";
import { compareRank, rankOf } from "@spillway/rules";

export interface MemberRanking {
  rank: (cluster: string) => number;
  /** The members best first, as one string: equal strings, equal rankings. */
  order: string;
}

export function memberRanking(members: readonly MemberCluster[]): MemberRanking {
  const ranked = members.map((m) => ({ name: m.metadata.name!, tier: m.spec.tier, priority: m.spec.priority }));
  return {
    rank: rankOf(ranked),
    order: [...ranked]
      .sort(compareRank)
      .map((m) => m.name)
      .join(","),
  };
}
