/**
 * Condition bookkeeping per the Kubernetes API conventions: `lastTransitionTime` moves only when
 * `status` changes, so watchers can tell a real transition from a refreshed message.
 */
import type { Condition, ConditionInput } from "@spillway/api";

/** Returns a new list with `next` set; the input list is not modified. */
export function setCondition(conditions: readonly Condition[] | undefined, next: ConditionInput, now: Date = new Date()): Condition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === next.type);
  const prior = i >= 0 ? list[i] : undefined;
  const lastTransitionTime =
    prior && prior.status === next.status ? prior.lastTransitionTime : (next.lastTransitionTime ?? now.toISOString());
  const merged: Condition = { ...next, lastTransitionTime };
  if (i >= 0) list[i] = merged;
  else list.push(merged);
  return list;
}

export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}
