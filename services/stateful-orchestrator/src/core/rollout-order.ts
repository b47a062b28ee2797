/**
 * The fleet-wide rolling update of a FederatedStatefulSet, as one StatefulSet would do it:
 * ordinals at or above the global partition are updated, highest first. Each member's own
 * StatefulSet controller updates its range from the top, one pod at a time; the orchestrator
 * orders the members by holding each one's partition at its whole range until every member
 * above it is done, so the fleet goes in descending ordinal order across clusters.
 */
import type { Range } from "./ordinal-steps.ts";

export interface MemberRollout {
  name: string;
  range: Range;
  /** Every pod of the member at or above the partition runs the update revision and is available. */
  done: boolean;
}

/** The partition translated into a member's range: `clamp(partition − start, 0, count)`. */
export const memberPartition = (partition: number, r: Range) => Math.min(Math.max(partition - r.start, 0), r.count);

/**
 * The partition to write per member: the translated one for members that are done and for the
 * highest member that is not; the whole range (nothing updated) for every member below it.
 */
export function partitions(members: MemberRollout[], partition: number): Map<string, number> {
  const out = new Map<string, number>();
  let released = true;
  for (const m of [...members].sort((a, b) => b.range.start - a.range.start)) {
    const translated = memberPartition(partition, m.range);
    // A member with nothing to update neither waits nor holds anyone back.
    if (translated >= m.range.count) {
      out.set(m.name, m.range.count);
      continue;
    }
    out.set(m.name, released ? translated : m.range.count);
    if (!m.done) released = false;
  }
  return out;
}
