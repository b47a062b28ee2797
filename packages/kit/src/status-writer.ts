/**
 * Status writes with conflict retry: on 409 the latest object is read again and the status is
 * recomputed from it, so a write never clobbers a newer spec or another writer's status. Nothing is
 * written when the computed status equals the stored one.
 */
import type { KubeObject } from "@spillway/api";
import { isConflict } from "./errors.ts";
import type { ObjectClient, ObjectKey } from "./object-store.ts";
import { deepEqual } from "@spillway/rules";

export async function updateStatus<S, T extends KubeObject<unknown, S>>(
  client: ObjectClient<T>,
  key: ObjectKey,
  compute: (latest: T) => S,
  options: { attempts?: number; initial?: T } = {},
): Promise<{ written: boolean; object: T }> {
  const attempts = options.attempts ?? 5;
  let latest = options.initial ?? (await client.get(key));
  for (let attempt = 1; ; attempt++) {
    const status = compute(latest);
    if (deepEqual(status, latest.status)) return { written: false, object: latest };
    try {
      const object = await client.replaceStatus({ ...latest, status });
      return { written: true, object };
    } catch (err) {
      if (!isConflict(err) || attempt >= attempts) {
        throw new Error(`update status of ${client.resource.kind} ${key.namespace ? `${key.namespace}/` : ""}${key.name}`, { cause: err });
      }
      latest = await client.get(key);
    }
  }
}
