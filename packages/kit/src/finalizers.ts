/**
 * Finalizers, one per controller (`spillway.dev/<controller>`). Both operations are merge patches
 * carrying the observed resourceVersion, so a concurrent change makes them fail with a conflict
 * (and the reconcile retries) instead of dropping someone else's finalizer.
 */
import type { KubeObject } from "@spillway/api";
import type { ObjectClient } from "./object-store.ts";

export const hasFinalizer = (obj: KubeObject<unknown, unknown>, finalizer: string) => (obj.metadata.finalizers ?? []).includes(finalizer);

/** Adds `finalizer` if missing; returns the updated object (or the input when unchanged). */
export async function ensureFinalizer<T extends KubeObject<unknown, unknown>>(
  client: ObjectClient<T>,
  obj: T,
  finalizer: string,
): Promise<T> {
  if (hasFinalizer(obj, finalizer)) return obj;
  const finalizers = [...(obj.metadata.finalizers ?? []), finalizer];
  return client.mergePatch(
    { namespace: obj.metadata.namespace, name: obj.metadata.name! },
    { metadata: { finalizers, resourceVersion: obj.metadata.resourceVersion } },
  );
}

/** Removes `finalizer` if present; returns the updated object (or the input when unchanged). */
export async function removeFinalizer<T extends KubeObject<unknown, unknown>>(
  client: ObjectClient<T>,
  obj: T,
  finalizer: string,
): Promise<T> {
  if (!hasFinalizer(obj, finalizer)) return obj;
  const finalizers = (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer);
  return client.mergePatch(
    { namespace: obj.metadata.namespace, name: obj.metadata.name! },
    { metadata: { finalizers, resourceVersion: obj.metadata.resourceVersion } },
  );
}
