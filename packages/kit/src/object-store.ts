/**
 * The narrow interfaces controllers depend on, so a controller can be handed an informer and a
 * client in production and the kit's in-memory fakes in a unit test, with no casts:
 * - ObjectCache: what a reconciler reads (an informer's cache);
 * - EventSource: what a controller subscribes to (informer events, member watches);
 * - ObjectClient: what a reconciler writes through (the API server).
 */
import type { KubeObject } from "@spillway/api";

/** Anything with object metadata; custom objects arrive as plain JSON, not client-node models. */
export interface ObjectLike {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; uid?: string };
}

export type WatchEventType = "add" | "update" | "delete";
export type EventHandler<T> = (type: WatchEventType, obj: T) => void;

export interface ObjectCache<T> {
  get(name: string, namespace?: string): T | undefined;
  list(namespace?: string): readonly T[];
}

export interface EventSource<T> {
  /** Registers a handler; it is called for every change, and for objects already cached. */
  addHandler(handler: EventHandler<T>): void;
}

/** An informer's face: a cache, its events, and whether its first list has landed. */
export interface CachedSource<T> extends ObjectCache<T>, EventSource<T> {
  hasSynced(): Promise<void>;
}

export interface ObjectKey {
  namespace?: string;
  name: string;
}

/** A list response as the API returns it (custom objects come back as plain JSON). */
export interface ObjectList<T> {
  apiVersion?: string;
  kind?: string;
  metadata?: { resourceVersion?: string; continue?: string };
  items: T[];
}

/** What the kit's writers need to know of a kind: its name, for errors and events. */
export interface ResourceInfo {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
}

export interface ObjectClient<T extends KubeObject<unknown, unknown>> {
  readonly resource: ResourceInfo;
  get(key: ObjectKey): Promise<T>;
  create(body: T): Promise<T>;
  /** Replaces the object; refused with 409 when `metadata.resourceVersion` is stale. */
  replace(body: T): Promise<T>;
  /** Replaces the status subresource, guarded by `metadata.resourceVersion`. */
  replaceStatus(body: T): Promise<T>;
  /** A JSON merge patch of the main resource (metadata such as finalizers). */
  mergePatch(key: ObjectKey, patch: object): Promise<T>;
  /**
   * Server-side apply as `fieldManager`, forcing ownership of the fields given (Spillway owns what
   * it writes). A `metadata.resourceVersion` in `body` is a precondition: a stale one gets 409.
   */
  apply(body: Partial<T> & Pick<T, "apiVersion" | "kind" | "metadata">, fieldManager: string): Promise<T>;
  delete(key: ObjectKey): Promise<void>;
}
