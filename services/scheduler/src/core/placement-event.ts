/**
 * What `kubectl describe` of a workload should say when the scheduler moves its replicas: which
 * members changed, from and to, and why (the Placement's per-member reasons). A loan to a member
 * with room for a stalled rollout, a failback home, a failover away from a member not Ready, each
 * gets its own reason so an operator can tell them apart at a glance.
 */
import type { WorkloadEvent } from "@spillway/rules";

export interface PlacedCluster {
  name: string;
  replicas: number;
  /** "<tier> priority <n>; <what moved>; …" as the Placement says it. */
  reason?: string;
}

const REASONS: Array<[RegExp, string]> = [
  [/\blent\b/, "Lent"],
  [/\bfailback:/, "FailedBack"],
  [/\bfailover:/, "FailedOver"],
];

export function placementEvent(before: readonly PlacedCluster[] | undefined, after: readonly PlacedCluster[]): WorkloadEvent | undefined {
  if (!before) {
    if (!after.length) return undefined;
    return { type: "Normal", reason: "Scheduled", note: `Placed ${after.map((c) => `${c.name}: ${c.replicas}`).join(", ")}` };
  }
  const was = new Map(before.map((c) => [c.name, c.replicas]));
  const now = new Map(after.map((c) => [c.name, c]));
  const names = [...new Set([...after.map((c) => c.name), ...before.map((c) => c.name)])];
  const changed = names.filter((n) => (was.get(n) ?? 0) !== (now.get(n)?.replicas ?? 0));
  if (!changed.length) return undefined;
  // The part of each reason that says what moved (the tier and priority lead every reason).
  const why = changed.flatMap((n) => (now.get(n)?.reason ?? "").split("; ").slice(1)).filter(Boolean);
  const reason = REASONS.find(([re]) => why.some((w) => re.test(w)))?.[1] ?? "Rescheduled";
  const moves = changed.map((n) => `${n} ${was.get(n) ?? 0}→${now.get(n)?.replicas ?? 0}`).join(", ");
  return { type: "Normal", reason, note: why.length ? `${moves}: ${why.join("; ")}` : moves };
}
