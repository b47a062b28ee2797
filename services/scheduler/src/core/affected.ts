/**
 * Which workloads a change in one member's snapshot can affect: those with replicas there (pods
 * may now be Pending or gone), those with replicas that fit nowhere (room may have appeared), and
 * those holding replicas in a member ranked after it (failback may now be possible). Everything
 * else keeps its placement, so it is not re-evaluated.
 */
export interface PlacementSummary {
  key: string;
  clusters: Record<string, number>;
  unschedulable: number;
}

export function affectedBy(cluster: string, rankOf: (cluster: string) => number, placements: Iterable<PlacementSummary>): string[] {
  const r = rankOf(cluster);
  const out: string[] = [];
  for (const p of placements) {
    const names = Object.keys(p.clusters).filter((c) => (p.clusters[c] ?? 0) > 0);
    if (p.unschedulable > 0 || names.includes(cluster) || names.some((c) => rankOf(c) > r)) out.push(p.key);
  }
  return out;
}
