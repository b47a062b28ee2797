/**
 * An in-memory API server for one kind, for unit tests of controllers: it is both the client a
 * reconciler writes through and the informer it reads from, with the semantics controllers rely
 * on — resourceVersion preconditions (409 on a stale write), generation bumped by spec changes
 * only, status written only through the status subresource, deletion held by finalizers, and an
 * event to every handler for every change. Every call is recorded so a test can assert what was
 * (and was not) sent.
 */
import type { KubeObject } from "@spillway/api";
import { deepEqual } from "@spillway/rules";
import type { CachedSource, EventHandler, WatchEventType, ObjectClient, ObjectKey, ResourceInfo } from "../object-store.ts";

/** An error shaped like client-node's: `code` is the HTTP status the kit's error helpers read. */
export class FakeApiError extends Error {
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.code = code;
  }
}

export type Verb = "get" | "create" | "replace" | "replaceStatus" | "mergePatch" | "apply" | "delete";

type Obj = KubeObject<unknown, unknown>;

let counter = 0;

export class FakeObjects<T extends Obj> implements ObjectClient<T>, CachedSource<T> {
  readonly resource: ResourceInfo;
  /** Every call, in order: the verb and the object key. */
  readonly calls: Array<{ verb: Verb; key: string }> = [];
  private readonly objects = new Map<string, T>();
  private readonly handlers: EventHandler<T>[] = [];
  private readonly failures: Array<{ verb: Verb; err: Error }> = [];
  /** The last configuration each field manager applied, per object. */
  private readonly applied = new Map<string, unknown>();

  constructor(kind: string, options: { namespaced?: boolean; plural?: string } = {}) {
    this.resource = {
      group: "spillway.dev",
      version: "v1alpha1",
      kind,
      plural: options.plural ?? `${kind.toLowerCase()}s`,
      namespaced: options.namespaced ?? true,
    };
  }

  /** Makes the next call of `verb` fail with `err` (e.g. a 409, a 500, a timeout). */
  failNext(verb: Verb, err: Error): void {
    this.failures.push({ verb, err });
  }

  /** Calls that change something (everything but get). */
  writes(): Array<{ verb: Verb; key: string }> {
    return this.calls.filter((c) => c.verb !== "get");
  }

  /** Puts an object in place as if someone else wrote it (no call recorded). */
  seed(obj: T): T {
    return this.store(structuredClone(obj), this.objects.has(keyOf(obj)) ? "update" : "add");
  }

  // --- CachedSource

  get(name: string, namespace?: string): T | undefined;
  get(key: ObjectKey): Promise<T>;
  get(nameOrKey: string | ObjectKey, namespace?: string): T | undefined | Promise<T> {
    if (typeof nameOrKey === "string") {
      const o = this.objects.get(namespace ? `${namespace}/${nameOrKey}` : nameOrKey);
      return o && structuredClone(o);
    }
    return this.call("get", nameOrKey, () => structuredClone(this.must(nameOrKey)));
  }

  addHandler(handler: EventHandler<T>): void {
    this.handlers.push(handler);
    for (const o of this.objects.values()) handler("add", structuredClone(o));
  }

  hasSynced(): Promise<void> {
    return Promise.resolve();
  }

  list(namespace?: string): readonly T[] {
    return this.all(namespace);
  }

  // --- ObjectClient

  create(body: T): Promise<T> {
    return this.call("create", keyParts(body), () => {
      if (this.objects.has(keyOf(body))) throw new FakeApiError(409, `${this.resource.kind} ${keyOf(body)} already exists`);
      const o = structuredClone(body);
      o.metadata = { ...o.metadata, uid: `uid-${++counter}`, generation: 1, creationTimestamp: new Date().toISOString() };
      delete o.status;
      return structuredClone(this.store(o, "add"));
    });
  }

  replace(body: T): Promise<T> {
    return this.call("replace", keyParts(body), () => {
      const cur = this.fresh(body);
      const o = structuredClone(body);
      o.status = cur.status;
      o.metadata = { ...o.metadata, uid: cur.metadata.uid, creationTimestamp: cur.metadata.creationTimestamp };
      o.metadata.generation = (cur.metadata.generation ?? 1) + (deepEqual(cur.spec, o.spec) ? 0 : 1);
      if (cur.metadata.deletionTimestamp) o.metadata.deletionTimestamp = cur.metadata.deletionTimestamp;
      return structuredClone(this.store(o, "update"));
    });
  }

  replaceStatus(body: T): Promise<T> {
    return this.call("replaceStatus", keyParts(body), () => {
      const cur = this.fresh(body);
      return structuredClone(this.store({ ...structuredClone(cur), status: structuredClone(body.status) }, "update"));
    });
  }

  mergePatch(key: ObjectKey, patch: object): Promise<T> {
    return this.call("mergePatch", key, () => {
      const cur = this.must(key);
      const rv = (patch as { metadata?: { resourceVersion?: string } }).metadata?.resourceVersion;
      if (rv !== undefined && rv !== cur.metadata.resourceVersion) throw this.conflict(key);
      const o = mergePatch(structuredClone(cur), patch) as T;
      o.metadata.generation = (cur.metadata.generation ?? 1) + (deepEqual(cur.spec, o.spec) ? 0 : 1);
      return structuredClone(this.store(o, "update"));
    });
  }

  /**
   * Server-side apply as one field manager sees it: the applied fields are set, and fields this
   * manager applied last time but leaves out now are removed (shared ownership is not modelled).
   */
  apply(body: Partial<T> & Pick<T, "apiVersion" | "kind" | "metadata">, fieldManager: string): Promise<T> {
    return this.call("apply", keyParts(body as T), () => {
      const key = `${keyOf(body as T)}\u0000${fieldManager}`;
      const previous = this.applied.get(key);
      this.applied.set(key, structuredClone(body));
      const cur = this.objects.get(keyOf(body as T));
      if (!cur) {
        const o = structuredClone(body) as T;
        o.metadata = { ...o.metadata, uid: `uid-${++counter}`, generation: 1, creationTimestamp: new Date().toISOString() };
        return structuredClone(this.store(o, "add"));
      }
      if (body.metadata.resourceVersion !== undefined && body.metadata.resourceVersion !== cur.metadata.resourceVersion)
        throw this.conflict(keyParts(body as T));
      const { status: _status, ...rest } = structuredClone(body) as T;
      const o = mergePatch(structuredClone(cur), { ...rest, metadata: { ...rest.metadata, resourceVersion: undefined } }) as T;
      if (previous)
        dropUnapplied(o as unknown as Record<string, unknown>, previous as Record<string, unknown>, body as Record<string, unknown>);
      o.metadata.generation = (cur.metadata.generation ?? 1) + (deepEqual(cur.spec, o.spec) ? 0 : 1);
      return structuredClone(this.store(o, "update"));
    });
  }

  delete(key: ObjectKey): Promise<void> {
    return this.call("delete", key, () => {
      const cur = this.must(key);
      if ((cur.metadata.finalizers ?? []).length > 0) {
        if (!cur.metadata.deletionTimestamp)
          this.store({ ...cur, metadata: { ...cur.metadata, deletionTimestamp: new Date().toISOString() } }, "update");
        return;
      }
      this.objects.delete(keyOf(cur));
      for (const h of this.handlers) h("delete", structuredClone(cur));
    });
  }

  // --- internals

  private all(namespace?: string): T[] {
    return [...this.objects.values()]
      .filter((o) => namespace === undefined || o.metadata.namespace === namespace)
      .map((o) => structuredClone(o));
  }

  private async call<R>(verb: Verb, key: ObjectKey, fn: () => R): Promise<R> {
    this.calls.push({ verb, key: key.namespace ? `${key.namespace}/${key.name}` : key.name });
    // Answer on a later tick, as a server would, so callers cannot rely on synchronous effects.
    await Promise.resolve();
    const i = this.failures.findIndex((f) => f.verb === verb);
    if (i >= 0) throw this.failures.splice(i, 1)[0]!.err;
    return fn();
  }

  private must(key: ObjectKey): T {
    const o = this.objects.get(key.namespace ? `${key.namespace}/${key.name}` : key.name);
    if (!o) throw new FakeApiError(404, `${this.resource.kind} ${key.namespace ? `${key.namespace}/` : ""}${key.name} not found`);
    return o;
  }

  private fresh(body: T): T {
    const cur = this.must(keyParts(body));
    if (body.metadata.resourceVersion !== cur.metadata.resourceVersion) throw this.conflict(keyParts(body));
    return cur;
  }

  private conflict(key: ObjectKey): FakeApiError {
    return new FakeApiError(409, `${this.resource.kind} ${key.name}: the object has been modified`);
  }

  private store(o: T, type: WatchEventType): T {
    // A deleting object whose last finalizer went is gone, as on a real server.
    if (o.metadata.deletionTimestamp && (o.metadata.finalizers ?? []).length === 0) {
      this.objects.delete(keyOf(o));
      for (const h of this.handlers) h("delete", structuredClone(o));
      return o;
    }
    o.metadata.resourceVersion = String(++counter);
    this.objects.set(keyOf(o), o);
    for (const h of this.handlers) h(type, structuredClone(o));
    return o;
  }
}

const keyOf = (o: Obj) => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name!);
const keyParts = (o: Obj): ObjectKey => ({ namespace: o.metadata.namespace, name: o.metadata.name! });

/** RFC 7386 JSON merge patch: objects merge, null removes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = target && typeof target === "object" && !Array.isArray(target) ? { ...(target as object) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else if (v !== undefined) out[k] = mergePatch(out[k], v);
  }
  return out;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Removes from `target` what `before` applied and `now` no longer does. */
function dropUnapplied(target: Record<string, unknown>, before: Record<string, unknown>, now: Record<string, unknown>): void {
  for (const k of Object.keys(before)) {
    if (k === "status" || k === "metadata") continue;
    if (!(k in now)) delete target[k];
    else if (isPlainObject(before[k]) && isPlainObject(now[k]) && isPlainObject(target[k]))
      dropUnapplied(target[k] as Record<string, unknown>, before[k] as Record<string, unknown>, now[k] as Record<string, unknown>);
  }
}
