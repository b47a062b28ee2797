/**
 * What a write kube-apiserver made to a fleet key means for the member that holds the object
 * (ADR 0008). kube-apiserver writes whole objects to storage; a member takes them through its
 * API, where deletion is a verb (not a timestamp one may set) and status has its own subresource.
 */
import { deepEqual } from "@spillway/rules";
import { decodeForMember, type Holding, type MemberObject } from "./fleet-objects.ts";

export type MemberCall =
  | { verb: "update"; subresource?: "status"; body: MemberObject }
  | { verb: "delete"; gracePeriodSeconds?: number; uid?: string; resourceVersion?: string };

/**
 * The member calls for kube-apiserver's `put` of `next` over the object it read.
 * - A deletion timestamp that appears is a graceful delete (kube-apiserver marks, the member's
 *   kubelet or kwok finishes), sent as DELETE with the grace period asked for.
 * - Otherwise the main resource when anything but status changed, then `status` when status did.
 */
export function planPut(holding: Holding, next: MemberObject): MemberCall[] {
  const target = decodeForMember(next, holding);
  const current = holding.object;
  const meta = target.metadata ?? {};
  if (meta.deletionTimestamp && !current.metadata?.deletionTimestamp) {
    const grace = meta.deletionGracePeriodSeconds;
    return [{ verb: "delete", ...(typeof grace === "number" ? { gracePeriodSeconds: grace } : {}), ...preconditions(holding) }];
  }
  const writes: MemberCall[] = [];
  const { status: nextStatus, ...nextRest } = target;
  const { status: currentStatus, ...currentRest } = current;
  const statusChanged = holding.resource.statusSubresource && !deepEqual(nextStatus, currentStatus);
  if (!holding.resource.statusSubresource || !deepEqual(comparable(nextRest), comparable(currentRest))) {
    writes.push({ verb: "update", body: target });
  }
  if (statusChanged) writes.push({ verb: "update", subresource: "status", body: target });
  return writes;
}

/** kube-apiserver's delete of the key: the object is gone now (grace period zero). */
export function planDelete(holding: Holding): MemberCall {
  return { verb: "delete", gracePeriodSeconds: 0, ...preconditions(holding) };
}

function preconditions(holding: Holding): { uid?: string; resourceVersion?: string } {
  const m = holding.object.metadata ?? {};
  return { ...(m.uid ? { uid: m.uid } : {}), ...(m.resourceVersion ? { resourceVersion: m.resourceVersion } : {}) };
}

/** Fields the member sets itself, which say nothing about what the writer changed. */
function comparable(o: MemberObject): MemberObject {
  const { managedFields: _m, resourceVersion: _r, generation: _g, ...meta } = o.metadata ?? {};
  return { ...o, metadata: meta };
}
