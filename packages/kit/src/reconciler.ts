/**
 * The one shape of every Spillway reconciler:
 *
 *   get (not found → done) → being deleted? finalize, drop the finalizer → ensure the finalizer,
 *   while observe (adapters read the world) → decide (pure core: what to write, in what order, the
 *   conditions, when to look again) → apply (server-side apply; nothing sent when nothing changed)
 *   → status (recomputed from the latest object, written only when it differs).
 *
 * A controller supplies these steps; the template owns their order and the error handling around
 * them, so every controller behaves the same on a missing object, a deletion or a conflict.
 */
import type { KubeObject } from "@spillway/api";
import { ensureFinalizer, hasFinalizer, removeFinalizer } from "./finalizers.ts";
import { isNotFound } from "./errors.ts";
import { parseKey } from "./object-key.ts";
import type { ObjectCache, ObjectClient } from "./object-store.ts";
import { updateStatus } from "./status-writer.ts";
import type { ReconcileResult } from "./work-queue.ts";

export interface ReconcilerSpec<T extends KubeObject<unknown, S>, S, O, D, A = void> {
  /** Reads go to the informer's cache first: it is as fresh as the event that brought us here. */
  cache: ObjectCache<T>;
  client: ObjectClient<T>;
  /** Set when the controller makes things that must go before the object does. */
  finalizer?: string;
  /** Removes what this controller made for a deleted object; resolves true once nothing is left. */
  finalize?: (obj: T) => Promise<boolean>;
  /** How soon to try finalizing again when something is left (default 2 s). */
  finalizeRetryMs?: number;
  observe: (obj: T) => Promise<O>;
  /** Pure: the decision from the object and what was observed. */
  decide: (obj: T, observed: O) => D;
  /**
   * Runs observe and decide one reconcile at a time, when decisions share something (the
   * scheduler's free room): the next decision must see the last one's outcome.
   */
  serialize?: <R>(fn: () => Promise<R>) => Promise<R>;
  /** Records a decision before it is applied, inside `serialize`. */
  reserve?: (obj: T, decision: D, observed: O) => void;
  apply: (obj: T, decision: D, observed: O) => Promise<A>;
  /** The status to hold, computed from the latest object (re-read on conflict); undefined keeps it. */
  status?: (latest: T, decision: D, applied: A) => S | undefined;
  /** Called after the status step with whether a status was written (events, bus messages). */
  afterStatus?: (obj: T, decision: D, applied: A, written: boolean) => void | Promise<void>;
  /** When to look again though nothing changed; undefined waits for the next event or resync. */
  requeueAfterMs: (decision: D, applied: A) => number | undefined;
}

export function reconciler<T extends KubeObject<unknown, S>, S, O, D, A = void>(
  spec: ReconcilerSpec<T, S, O, D, A>,
): (key: string) => Promise<ReconcileResult | void> {
  // The resourceVersion of the status this reconciler last wrote, per key, until the next reconcile.
  const ownStatus = new Map<string, string | undefined>();
  return async (key) => {
    const { namespace, name } = parseKey(key);
    let obj = spec.cache.get(name, namespace);
    if (ownStatus.has(key)) {
      // A reconcile soon after our own status write (its events bring us back) may find the cache
      // behind it; deciding from there would forget what the write recorded (the autoscaler's
      // scale events: it would scale again inside its policy's period). Read the object itself.
      if (obj && obj.metadata.resourceVersion !== ownStatus.get(key)) obj = undefined;
      ownStatus.delete(key);
    }
    if (!obj) {
      try {
        obj = await spec.client.get({ namespace, name });
      } catch (err) {
        if (isNotFound(err)) return;
        throw err;
      }
    }
    if (obj.metadata.deletionTimestamp) {
      if (!spec.finalizer || !hasFinalizer(obj, spec.finalizer)) return;
      if (spec.finalize && !(await spec.finalize(obj))) return { requeueAfterMs: spec.finalizeRetryMs ?? 2000 };
      await removeFinalizer(spec.client, obj, spec.finalizer);
      return;
    }
    // The finalizer's patch goes out beside observe's reads, not before them: observe only reads,
    // nothing is applied before the finalizer is in place, and decide sees the object as patched.
    // (A new workload's first pass is one host round trip shorter.)
    const seen = obj;
    const finalized = spec.finalizer ? ensureFinalizer(spec.client, seen, spec.finalizer) : Promise.resolve(seen);
    // Its failure is the pass's, once awaited: not an unhandled rejection while `serialize` queues.
    finalized.catch(() => undefined);
    const step = async () => {
      const [current, observed] = await Promise.all([finalized, spec.observe(seen)]);
      const decision = spec.decide(current, observed);
      spec.reserve?.(current, decision, observed);
      return { current, observed, decision };
    };
    const { current, observed, decision } = await (spec.serialize ? spec.serialize(step) : step());
    const applied = await spec.apply(current, decision, observed);
    if (spec.status) {
      const compute = spec.status;
      const { written, object } = await updateStatus(
        spec.client,
        { namespace, name },
        (latest) => compute(latest, decision, applied) ?? (latest.status as S),
        { initial: current },
      );
      if (written) ownStatus.set(key, object.metadata.resourceVersion);
      await spec.afterStatus?.(current, decision, applied, written);
    }
    const after = spec.requeueAfterMs(decision, applied);
    return after === undefined ? undefined : { requeueAfterMs: after };
  };
}
