/**
 * A pass's member objects changing size, told as one `ScalingMember` Event on the workload: a
 * Deployment's ScalingReplicaSet names one ReplicaSet, but one pass of a federated workload can
 * scale every member at once, and an Event per member would make a workload's host writes grow
 * with the fleet (13 Event creates per new workload at 12 members).
 */
import type { WorkloadEvent } from "./member-workload.ts";

/** One member object's size before and after a write, as the kind tells it ("8", "ordinals 12-19"). */
export interface MemberScaling {
  cluster: string;
  from: string;
  to: string;
  /** For a count: which way it went. */
  way?: "up" | "down";
}

/** The Events API keeps a note to 1 KiB. */
const NOTE_LIMIT = 1024;

/** The one Event for the scalings of a pass (in the order written), or undefined when there are none. */
export function scalingEvent(memberKind: string, scalings: readonly MemberScaling[]): WorkloadEvent | undefined {
  if (!scalings.length) return undefined;
  const head = `Scaled member ${memberKind}${scalings.length > 1 ? "s" : ""}: `;
  const parts = scalings.map((s) => `${s.cluster} ${s.way ? `${s.way} ` : ""}from ${s.from} to ${s.to}`);
  let note = head + parts.join(", ");
  // Past the limit, as many members as fit and how many more: never a member cut in half.
  for (let shown = parts.length - 1; note.length > NOTE_LIMIT && shown > 0; shown--)
    note = `${head}${parts.slice(0, shown).join(", ")}, and ${parts.length - shown} more`;
  return { type: "Normal", reason: "ScalingMember", note };
}
