/**
 * A workload's pods in one member with their resource usage: the member's pods (from the gateway's
 * pod watch) matched by the target's selector, joined with the member's last PodMetrics list. Pure.
 * Quantities become milli-units; a pod the PodMetrics list does not name, or every pod of a member
 * whose list failed, comes without usage, which the autoscaler counts as a missing metric.
 */
import { toUnits } from "@spillway/resources";
import { matchesSelector, type LabelSelector } from "@spillway/rules";

interface Condition {
  type?: string;
  status?: string;
  lastTransitionTime?: string | Date;
}

export interface PodObject {
  metadata?: { namespace?: string; name?: string; labels?: Record<string, string>; deletionTimestamp?: string | Date };
  spec?: { containers?: Array<{ name?: string; resources?: { requests?: Record<string, string | number> } }> };
  status?: { phase?: string; startTime?: string | Date; conditions?: Condition[] };
}

/** One item of `metrics.k8s.io/v1beta1` PodMetricsList. */
export interface PodMetricsObject {
  metadata?: { namespace?: string; name?: string };
  timestamp?: string;
  window?: string;
  containers?: Array<{ name?: string; usage?: Record<string, string | number> }>;
}

export interface PodUsage {
  timestampMs: number;
  windowMs: number;
  /** Container name → resource name → milli-units. */
  containers: Map<string, Record<string, number>>;
}

export type ReadyState = "True" | "False" | undefined;

export interface PodSampleData {
  cluster: string;
  name: string;
  phase: string;
  deleting: boolean;
  ready: ReadyState;
  readyTransitionMs: number;
  startMs: number;
  containers: Array<{ name: string; requestsMilli: Record<string, number>; usageMilli: Record<string, number> }>;
  hasUsage: boolean;
  usageTimestampMs: number;
  usageWindowMs: number;
}

const ms = (t: string | Date | undefined) => (t instanceof Date ? t.getTime() : t ? Date.parse(t) || 0 : 0);
const key = (namespace: string, name: string) => `${namespace}/${name}`;

/** Milli-units of each quantity; one that cannot be read is left out (the pod then lacks it). */
function milliOf(list: Record<string, string | number> | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [r, q] of Object.entries(list ?? {})) {
    try {
      out[r] = toUnits(q, 1e-3);
    } catch {
      // A malformed quantity from a member is not ours to fix; the resource counts as absent.
    }
  }
  return out;
}

/** `window` is a Go duration such as "10.5s" or "1m0s". */
export function durationMs(d: string | undefined): number {
  if (!d) return 0;
  let total = 0;
  for (const [, n, unit] of d.matchAll(/([\d.]+)(ms|s|m|h)/g)) total += Number(n) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit!]!;
  return total;
}

/** A PodMetrics list indexed by namespace/name. */
export function usageIndex(items: readonly PodMetricsObject[]): Map<string, PodUsage> {
  const out = new Map<string, PodUsage>();
  for (const m of items) {
    out.set(key(m.metadata?.namespace ?? "", m.metadata?.name ?? ""), {
      timestampMs: ms(m.timestamp),
      windowMs: durationMs(m.window),
      containers: new Map((m.containers ?? []).map((c) => [c.name ?? "", milliOf(c.usage)])),
    });
  }
  return out;
}

/** Namespaces whose usage differs between two lists: whose autoscalers have something new to read. */
export function changedNamespaces(before: ReadonlyMap<string, PodUsage>, after: ReadonlyMap<string, PodUsage>): string[] {
  const changed = new Set<string>();
  const ns = (k: string) => k.slice(0, k.indexOf("/"));
  for (const [k, u] of after) {
    const b = before.get(k);
    if (!b || !sameUsage(b, u)) changed.add(ns(k));
  }
  for (const k of before.keys()) if (!after.has(k)) changed.add(ns(k));
  return [...changed].sort();
}

function sameUsage(a: PodUsage, b: PodUsage): boolean {
  if (a.containers.size !== b.containers.size) return false;
  for (const [name, u] of a.containers) {
    const v = b.containers.get(name);
    if (!v || Object.keys(u).length !== Object.keys(v).length || Object.entries(u).some(([r, n]) => v[r] !== n)) return false;
  }
  return true;
}

export function podSamples(
  cluster: string,
  pods: readonly PodObject[],
  usage: ReadonlyMap<string, PodUsage> | undefined,
  selector: LabelSelector,
): PodSampleData[] {
  return pods
    .filter((p) => matchesSelector(p.metadata?.labels ?? {}, selector))
    .map((p) => {
      const readyCondition = (p.status?.conditions ?? []).find((c) => c.type === "Ready");
      const u = usage?.get(key(p.metadata?.namespace ?? "", p.metadata?.name ?? ""));
      return {
        cluster,
        name: p.metadata?.name ?? "",
        phase: p.status?.phase ?? "Pending",
        deleting: p.metadata?.deletionTimestamp !== undefined && p.metadata.deletionTimestamp !== null,
        ready: readyCondition ? (readyCondition.status === "True" ? "True" : "False") : undefined,
        readyTransitionMs: ms(readyCondition?.lastTransitionTime),
        startMs: ms(p.status?.startTime),
        containers: (p.spec?.containers ?? []).map((c) => ({
          name: c.name ?? "",
          requestsMilli: milliOf(c.resources?.requests),
          usageMilli: u?.containers.get(c.name ?? "") ?? {},
        })),
        hasUsage: u !== undefined,
        usageTimestampMs: u?.timestampMs ?? 0,
        usageWindowMs: u?.windowMs ?? 0,
      };
    });
}
