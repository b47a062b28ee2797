/**
 * A primary source that leaves out updates which do not change `metadata.generation` (status and
 * metadata writes), for a controller whose every pass writes status: without it, each status
 * write would bring the object back at once and the controller would run in a loop. Such a
 * controller looks again by its own period (`requeueAfterMs`), as Kubernetes' HPA controller does.
 */
import { keyOf } from "./object-key.ts";
import type { CachedSource, ObjectLike } from "./object-store.ts";

type WithGeneration = ObjectLike & { metadata?: { generation?: number } };

export function specChanges<T extends WithGeneration>(source: CachedSource<T>): CachedSource<T> {
  return {
    get: (name, namespace) => source.get(name, namespace),
    list: (namespace) => source.list(namespace),
    hasSynced: () => source.hasSynced(),
    addHandler: (handler) => {
      const seen = new Map<string, number | undefined>();
      source.addHandler((type, obj) => {
        const key = keyOf(obj);
        const generation = obj.metadata?.generation;
        if (type === "update" && seen.has(key) && seen.get(key) === generation) return;
        if (type === "delete") seen.delete(key);
        else seen.set(key, generation);
        handler(type, obj);
      });
    },
  };
}
