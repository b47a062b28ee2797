/** Owner references, so the garbage collector removes what a workload owns when it goes. */
import type { KubeObject, OwnerReference } from "@spillway/api";

/** A controller owner reference to `owner`. */
export function controllerReference(owner: KubeObject<unknown, unknown>): OwnerReference {
  if (!owner.metadata.uid || !owner.metadata.name) {
    throw new Error(`owner ${owner.kind} has no uid or name yet: read it from the API before owning objects with it`);
  }
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}
