/**
 * Whether a workload's pods may start in a member yet: every object its template names that the
 * host holds must be there as Spillway's copy (ADR 0009). What the host does not hold is the
 * member's business (an object each member keeps for itself, or an optional reference), as before
 * Spillway followed dependencies. A member's own object where the host holds one is a conflict:
 * the workload is not written there until someone renames or deletes it.
 */
import { dependencyKey, type DependencyRef } from "./workload-dependencies.ts";

export interface DependencySighting {
  ref: DependencyRef;
  /** What the member holds of that name. */
  member: "copy" | "absent" | "foreign";
  /** Whether the host holds a source of that name that follows workloads (asked only when needed). */
  onHost?: boolean;
}

export interface DependencyVerdict {
  /** `Kind/name` the member still lacks. */
  waiting: string[];
  /** `Kind/name` held by the member as its own where the host holds the source. */
  conflicts: string[];
}

export const dependenciesReady = (v: DependencyVerdict) => v.waiting.length === 0 && v.conflicts.length === 0;

export function judgeDependencies(sightings: readonly DependencySighting[]): DependencyVerdict {
  const waiting: string[] = [];
  const conflicts: string[] = [];
  for (const s of sightings) {
    if (s.member === "copy" || !s.onHost) continue;
    (s.member === "absent" ? waiting : conflicts).push(dependencyKey(s.ref));
  }
  return { waiting, conflicts };
}

/** A member holding its own objects where the host holds sources the pods need (the workload status field). */
export interface DependencyConflict {
  name: string;
  objects: string[];
}

/**
 * The members the workload stays out of, for its status (the scheduler's DependencyConflicts
 * filter reads it): the last list with every member judged this pass replaced by its verdict. A
 * member that is kept out is judged again each pass by `recheckedVerdict`, so the entry leaves
 * once its object is renamed or deleted there.
 */
export function dependencyConflicts(
  previous: readonly DependencyConflict[] | undefined,
  judged: ReadonlyMap<string, DependencyVerdict>,
): DependencyConflict[] {
  const byMember = new Map((previous ?? []).map((c) => [c.name, c.objects]));
  for (const [member, v] of judged) {
    if (v.conflicts.length) byMember.set(member, [...v.conflicts].sort());
    else byMember.delete(member);
  }
  return [...byMember].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, objects]) => ({ name, objects }));
}

/**
 * A kept-out member looked at again: only its conflicts count. The workload has no replicas there,
 * so what the member still lacks is the follower's to copy once it is placed, not a wait.
 */
export const recheckedVerdict = (v: DependencyVerdict): DependencyVerdict => ({ waiting: [], conflicts: v.conflicts });

/** The `DependenciesReady` condition a workload reports, from what each member's gate found. */
export function dependenciesCondition(namespace: string, byMember: ReadonlyMap<string, DependencyVerdict>) {
  const conflicts = [...byMember].filter(([, v]) => v.conflicts.length);
  const waiting = [...byMember].filter(([, v]) => v.waiting.length);
  if (conflicts.length)
    return {
      type: "DependenciesReady",
      status: "False" as const,
      reason: "UnmanagedDependencyExists",
      message:
        `${conflicts.flatMap(([m, v]) => v.conflicts.map((k) => `${spelled(namespace, k)} in ${m}`)).join(", ")}: ` +
        "exists and is not managed by Spillway, while the host holds the source; rename or delete it there " +
        "(the workload is not written to that member until then)",
    };
  if (waiting.length)
    return {
      type: "DependenciesReady",
      status: "False" as const,
      reason: "WaitingForDependencies",
      message: `waiting for copies from the host: ${waiting.map(([m, v]) => `${v.waiting.join(", ")} in ${m}`).join("; ")}`,
    };
  return { type: "DependenciesReady", status: "True" as const, reason: "DependenciesPresent", message: "" };
}

/** `ConfigMap/web` in `shop` as `ConfigMap shop/web`. */
const spelled = (namespace: string, key: string) => `${key.slice(0, key.indexOf("/"))} ${namespace}/${key.slice(key.indexOf("/") + 1)}`;
