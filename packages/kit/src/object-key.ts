/** Work-queue keys: `namespace/name` for namespaced objects, `name` for cluster-scoped ones. */
import type { ObjectKey } from "./resource-client.ts";

export function keyOf(obj: { metadata?: { namespace?: string; name?: string } }): string {
  const { namespace, name } = obj.metadata ?? {};
  if (!name) throw new Error("object has no metadata.name");
  return namespace ? `${namespace}/${name}` : name;
}

export function parseKey(key: string): ObjectKey {
  const slash = key.indexOf("/");
  return slash < 0 ? { name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
