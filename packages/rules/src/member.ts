/**
 * What every service reads off a MemberCluster the same way: whether it is Ready (as the gateway
 * reported it) and the labels placement selectors and overrides match against (its own labels plus
 * tier, cluster name and region, so `clusterSelector: {matchLabels: {spillway.dev/tier: cloud}}`
 * means the same to the scheduler and to fleet-root).
 */
import type { MemberCluster } from "@spillway/api";

export const TIER_LABEL = "spillway.dev/tier";
export const CLUSTER_LABEL = "spillway.dev/cluster";
export const REGION_LABEL = "topology.kubernetes.io/region";

export function isMemberReady(m: MemberCluster): boolean {
  return m.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;
}

/** When the member's Ready condition last changed (ms since epoch), or undefined if never reported. */
export function readySinceMs(m: MemberCluster): number | undefined {
  const t = m.status?.conditions?.find((c) => c.type === "Ready")?.lastTransitionTime;
  return t ? Date.parse(t) : undefined;
}

export function memberLabels(m: MemberCluster): Record<string, string> {
  return {
    ...m.metadata.labels,
    [TIER_LABEL]: m.spec.tier,
    [CLUSTER_LABEL]: m.metadata.name!,
    ...(m.spec.region ? { [REGION_LABEL]: m.spec.region } : {}),
  };
}
