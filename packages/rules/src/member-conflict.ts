/**
 * The condition every controller that makes objects in members reports about a same-named object
 * it does not manage there: it never takes one over, and says where it is and what to do.
 */
export function memberConflictCondition(kind: string, namespace: string, name: string, conflicts: readonly string[]) {
  return conflicts.length
    ? {
        type: "MemberConflict",
        status: "True" as const,
        reason: `Unmanaged${kind}Exists`,
        message: `${kind} ${namespace}/${name} already exists and is not managed by Spillway in ${conflicts.join(", ")}; rename or delete it there`,
      }
    : { type: "MemberConflict", status: "False" as const, reason: "NoConflict", message: "" };
}
