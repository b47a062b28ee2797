/**
 * The status of a MemberCluster from what the gateway knows of it. Pure: the controller feeds it
 * the connection's state and writes the result only when it differs from what is stored.
 */
import type { Condition, MemberClusterStatus } from "@spillway/api";
import type { WorkloadEvent } from "@spillway/rules";
import { toResourceList } from "@spillway/resources";
import { deepEqual } from "@spillway/rules";
import type { HealthState } from "./health.ts";
import type { Totals } from "./snapshot-builder.ts";

export interface MemberObservation {
  generation: number | undefined;
  previous: MemberClusterStatus | undefined;
  /** Set when no connection can be built (Secret missing, kubeconfig unusable). */
  configError?: { reason: "KubeconfigInvalid"; message: string };
  health?: HealthState;
  kubernetesVersion?: string;
  totals?: Totals;
  /** Whether the member's node and pod caches hold a complete list. */
  synced: boolean;
  /** spec.fenced: declared gone for good by its operator. */
  fenced?: boolean;
  nowIso: string;
}

const READY = "Ready";
const FENCED = "Fenced";

function readyCondition(o: MemberObservation): Omit<Condition, "lastTransitionTime"> {
  const base = { type: READY, observedGeneration: o.generation };
  if (o.configError) return { ...base, status: "False", reason: o.configError.reason, message: o.configError.message };
  const h = o.health;
  if (!h || h.ready === undefined) return { ...base, status: "Unknown", reason: "Probing", message: "waiting for the first health probe" };
  if (!h.ready) return { ...base, status: "False", reason: h.reason, message: h.message };
  if (!o.synced) return { ...base, status: "False", reason: "Syncing", message: "listing the member's nodes and pods" };
  return { ...base, status: "True", reason: "Ready", message: h.message };
}

export function memberStatus(o: MemberObservation): MemberClusterStatus {
  const prior = o.previous?.conditions?.find((c) => c.type === READY);
  const next = readyCondition(o);
  const lastTransitionTime = prior && prior.status === next.status ? prior.lastTransitionTime : o.nowIso;
  const conditions = [
    ...(o.previous?.conditions ?? []).filter((c) => c.type !== READY && c.type !== FENCED),
    { ...next, lastTransitionTime },
  ];
  // Shown only while it holds: a member that was never fenced carries no Fenced condition.
  if (o.fenced) {
    const was = o.previous?.conditions?.find((c) => c.type === FENCED);
    conditions.push({
      type: FENCED,
      status: "True",
      reason: "FencedByOperator",
      message: "declared gone for good (spec.fenced): nothing new is placed here, and its ordinals may start elsewhere",
      observedGeneration: o.generation,
      lastTransitionTime: was?.status === "True" ? was.lastTransitionTime : o.nowIso,
    });
  }
  const status: MemberClusterStatus = { ...o.previous, observedGeneration: o.generation, conditions };
  if (o.kubernetesVersion) status.kubernetesVersion = o.kubernetesVersion;
  // Capacity is reported only from a complete, live picture; an unreachable member keeps its last
  // known figures (the Ready condition says they are stale) rather than dropping to zero.
  if (o.totals && o.synced && !o.configError && o.health?.ready) {
    const { pods: _pods, ...allocatable } = o.totals.allocatable;
    status.nodeCount = o.totals.nodeCount;
    status.allocatable = withZeros(toResourceList(allocatable));
    status.requested = withZeros(toResourceList(o.totals.requested));
  }
  return status;
}

/**
 * How often a member's capacity figures alone are written at most. They change with every pod
 * bound or gone and are there to be read (`kubectl spillway clusters`), not decided on (the
 * scheduler reads the member's snapshot): written on every change, a fleet's host writes would
 * grow with its members times its churn (7 per new workload at 12 members).
 */
export const CAPACITY_REFRESH_MS = 5_000;

/** Whether `next` differs from `previous`, and only in the capacity figures (nodes, allocatable, requested). */
export function capacityOnlyChange(previous: MemberClusterStatus | undefined, next: MemberClusterStatus): boolean {
  if (!previous) return false;
  const rest = ({ nodeCount: _n, allocatable: _a, requested: _r, ...others }: MemberClusterStatus) => others;
  return !deepEqual(previous, next) && deepEqual(rest(previous), rest(next));
}

/**
 * How long a status that changes only the capacity figures is held back, given when the status
 * was last written: 0 writes it now. The member's Ready, version and fencing are never held.
 */
export function capacityHoldMs(
  previous: MemberClusterStatus | undefined,
  next: MemberClusterStatus,
  lastWrittenMs: number | undefined,
  nowMs: number,
): number {
  if (lastWrittenMs === undefined || !capacityOnlyChange(previous, next)) return 0;
  return Math.max(0, lastWrittenMs + CAPACITY_REFRESH_MS - nowMs);
}

/**
 * The event for a member's Ready condition changing, for `kubectl describe membercluster`: a
 * member going not Ready (or unknown) after it was Ready, or found unusable from the start, is a
 * warning with the reason; one becoming Ready is normal. The first probe's "Unknown" says nothing.
 */
export function memberEvents(previous: MemberClusterStatus | undefined, next: MemberClusterStatus): WorkloadEvent[] {
  const fenced = (s: MemberClusterStatus | undefined) => s?.conditions?.some((c) => c.type === FENCED && c.status === "True") ?? false;
  const turns: WorkloadEvent[] = [];
  if (fenced(next) && !fenced(previous))
    turns.push({
      type: "Warning",
      reason: "Fenced",
      note: "declared gone for good (spec.fenced): nothing new is placed here, and its ordinals may start elsewhere",
    });
  if (!fenced(next) && fenced(previous))
    turns.push({ type: "Normal", reason: "Unfenced", note: "spec.fenced cleared: the member takes placements again" });
  const ready = readyEvent(previous, next);
  return ready ? [...turns, ready] : turns;
}

export function readyEvent(previous: MemberClusterStatus | undefined, next: MemberClusterStatus): WorkloadEvent | undefined {
  const before = previous?.conditions?.find((c) => c.type === READY);
  const now = next.conditions?.find((c) => c.type === READY);
  if (!now || before?.status === now.status) return undefined;
  if (now.status === "True") return { type: "Normal", reason: "MemberReady", note: `Ready: ${now.message || "reachable and listed"}` };
  // Listing a member after the first probe is how every connection starts, not a problem.
  if (before?.status !== "True" && (now.status !== "False" || now.reason === "Syncing")) return undefined;
  return { type: "Warning", reason: "MemberNotReady", note: `${now.reason}: ${now.message}` };
}

/** The four resources the issue names always appear, as "0" when none. */
function withZeros(list: Record<string, string>): Record<string, string> {
  return { cpu: "0", memory: "0", "ephemeral-storage": "0", "nvidia.com/gpu": "0", ...list };
}
