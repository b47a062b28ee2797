/**
 * One row per member for `kubectl spillway clusters`: tier, priority, Ready, and free over
 * allocatable CPU, memory and GPUs as cluster-gateway last observed them (MemberCluster status).
 */
import type { MemberCluster } from "@spillway/api";
import { CPU, fromResourceList, GPU, MEMORY, subtract } from "@spillway/resources";
import { compareRank } from "@spillway/rules";

export const CLUSTER_HEADERS = [
  "NAME",
  "TIER",
  "PRIORITY",
  "READY",
  "CPU FREE/TOTAL",
  "MEMORY FREE/TOTAL",
  "GPU FREE/TOTAL",
  "NODES",
  "FENCED",
];

/** `-o wide`: the member's Kubernetes version and labels too (the tier label among them). */
export const CLUSTER_WIDE_HEADERS = [...CLUSTER_HEADERS, "VERSION", "LABELS"];

const cores = (milli: number) => (milli % 1000 === 0 ? String(milli / 1000) : (milli / 1000).toFixed(1));
const gib = (bytes: number) => {
  const g = bytes / 2 ** 30;
  return `${Number.isInteger(g) ? g : g.toFixed(1)}Gi`;
};

function ready(m: MemberCluster): string {
  const c = m.status?.conditions?.find((x) => x.type === "Ready");
  if (!c) return "Unknown";
  return c.status === "True" ? "True" : `${c.status} (${c.reason})`;
}

export function clusterRows(members: readonly MemberCluster[], wide = false): string[][] {
  return [...members]
    .sort((a, b) =>
      compareRank(
        { name: a.metadata.name!, tier: a.spec.tier, priority: a.spec.priority ?? 100 },
        { name: b.metadata.name!, tier: b.spec.tier, priority: b.spec.priority ?? 100 },
      ),
    )
    .map((m) => {
      const total = fromResourceList(m.status?.allocatable as Record<string, string> | undefined);
      const free = subtract(total, fromResourceList(m.status?.requested as Record<string, string> | undefined));
      const pair = (r: string, fmt: (n: number) => string) =>
        m.status?.allocatable ? `${fmt(Math.max(0, free[r] ?? 0))}/${fmt(total[r] ?? 0)}` : "-";
      return [
        m.metadata.name!,
        m.spec.tier,
        String(m.spec.priority ?? 100),
        ready(m),
        pair(CPU, cores),
        pair(MEMORY, gib),
        pair(GPU, String),
        m.status?.nodeCount === undefined ? "-" : String(m.status.nodeCount),
        m.spec.fenced ? "true" : "false",
        ...(wide
          ? [
              m.status?.kubernetesVersion ?? "-",
              Object.entries(m.metadata.labels ?? {})
                .map(([k, v]) => `${k}=${v}`)
                .join(",") || "<none>",
            ]
          : []),
      ];
    });
}
