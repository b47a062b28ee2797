/** Where a workload's replicas (and ordinals) are and why, from its Placement. */
import type { MemberCluster, Placement } from "@spillway/api";

export const PLACEMENT_HEADERS = ["CLUSTER", "TIER", "REPLICAS", "ORDINALS", "WHY"];

export function placementRows(p: Placement, members: readonly MemberCluster[]): string[][] {
  const tier = new Map(members.map((m) => [m.metadata.name!, m.spec.tier]));
  return p.spec.clusters.map((c) => [
    c.name,
    tier.get(c.name) ?? "?",
    String(c.replicas),
    c.ordinalStart === undefined ? "-" : c.replicas > 0 ? `${c.ordinalStart}-${c.ordinalStart + c.replicas - 1}` : "none",
    c.reason,
  ]);
}

/** The line above the table: how much is placed, and what is short when not all of it is. */
export function placementSummary(p: Placement): string {
  const ref = p.spec.workloadRef;
  const placed = p.spec.clusters.reduce((n, c) => n + c.replicas, 0);
  const scheduled = p.status?.conditions?.find((c) => c.type === "Scheduled");
  const head = `${ref.kind} ${p.metadata.namespace}/${ref.name}: ${placed} replicas placed in ${p.spec.clusters.filter((c) => c.replicas > 0).length} clusters`;
  if (p.spec.unschedulableReplicas > 0)
    return `${head}, ${p.spec.unschedulableReplicas} fit nowhere: ${scheduled?.message ?? "see the Placement's Scheduled condition"}`;
  return `${head} (${p.status?.phase ?? "not yet confirmed"})`;
}

/** `placement` with no workload named: one row per workload (NAMESPACE first with -A). */
export const PLACEMENTS_HEADERS = ["KIND", "WORKLOAD", "PLACED", "UNSCHEDULABLE", "CLUSTERS"];

export function placementListRows(placements: readonly Placement[], allNamespaces: boolean, wide = false): string[][] {
  return [...placements]
    .sort(
      (a, b) =>
        (a.metadata.namespace ?? "").localeCompare(b.metadata.namespace ?? "") ||
        a.spec.workloadRef.name.localeCompare(b.spec.workloadRef.name) ||
        a.spec.workloadRef.kind.localeCompare(b.spec.workloadRef.kind),
    )
    .map((p) => [
      ...(allNamespaces ? [p.metadata.namespace ?? ""] : []),
      p.spec.workloadRef.kind,
      p.spec.workloadRef.name,
      String(p.spec.clusters.reduce((n, c) => n + c.replicas, 0)),
      String(p.spec.unschedulableReplicas),
      p.spec.clusters
        .filter((c) => c.replicas > 0)
        .map((c) => `${c.name}=${c.replicas}`)
        .join(",") || "<none>",
      ...(wide ? [p.status?.phase ?? "-", p.metadata.name ?? ""] : []),
    ]);
}

export const placementListHeaders = (allNamespaces: boolean, wide = false) => [
  ...(allNamespaces ? ["NAMESPACE"] : []),
  ...PLACEMENTS_HEADERS,
  ...(wide ? ["PHASE", "PLACEMENT"] : []),
];
