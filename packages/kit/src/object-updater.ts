/**
 * Read-modify-write of an object with conflict retry: on 409 the latest object is read again and
 * the change re-applied, so a writer never loses a race with a controller that updated the object
 * (status writes bump resourceVersion too) in between.
 */
import type { KubeObject } from "@spillway/api";
import { isConflict } from "./errors.ts";
import type { ObjectClient, ObjectKey } from "./object-store.ts";

export async function updateObject<T extends KubeObject<unknown, unknown>>(
  client: ObjectClient<T>,
  key: ObjectKey,
  mutate: (latest: T) => T,
  attempts = 5,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const latest = await client.get(key);
    try {
      return await client.replace(mutate(latest));
    } catch (err) {
      if (!isConflict(err) || attempt >= attempts) {
        throw new Error(`update ${client.resource.kind} ${key.namespace ? `${key.namespace}/` : ""}${key.name}`, { cause: err });
      }
    }
  }
}
