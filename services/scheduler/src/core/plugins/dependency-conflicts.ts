/**
 * A member that holds, as its own, an object of a name the host holds as a source the workload's
 * pods need (ADR 0009): Spillway never overwrites it, so the workload stays out of that member
 * (its replicas there released) until someone renames or deletes it. The member-workload shell
 * finds these and lists them in the workload's status.
 */
import { success, unschedulable, type Plugin } from "./plugin.ts";

export const dependencyConflicts: Plugin = {
  name: "DependencyConflicts",
  filter: (w, c) => {
    const objects = w.dependencyConflicts?.[c.name];
    return objects?.length
      ? unschedulable(
          `cluster ${c.name} holds its own ${objects.join(", ")} where the host holds the source the pods need; rename or delete it there`,
        )
      : success;
  },
};
