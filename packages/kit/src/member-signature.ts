/**
 * The parts of a MemberCluster that placement and propagation depend on: its spec, labels and
 * Ready condition. The gateway rewrites `status.requested` with every pod change; reacting to that
 * would re-evaluate every workload on every pod event.
 */
import type { MemberCluster } from "@spillway/api";

export function memberSignature(m: MemberCluster): string {
  const ready = m.status?.conditions?.find((c) => c.type === "Ready");
  return JSON.stringify([m.spec, m.metadata.labels ?? {}, ready?.status, ready?.reason, m.metadata.deletionTimestamp ?? ""]);
}

/** A filter that passes a member event only when the member's signature changed since it was last seen. */
export function memberChangeFilter(): (type: string, m: MemberCluster) => boolean {
  const seen = new Map<string, string>();
  return (type, m) => {
    const name = m.metadata.name!;
    const sig = type === "delete" ? "deleted" : memberSignature(m);
    if (seen.get(name) === sig) return false;
    seen.set(name, sig);
    return true;
  };
}
