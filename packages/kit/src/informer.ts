/**
 * Informers with a shared cache. client-node's ListWatch lists, watches, resumes from the last
 * resourceVersion and re-lists after a 410; when it gives up on an error it stops, so this wrapper
 * restarts it with exponential backoff. One informer per (path, label selector) is shared by every
 * controller of a process through the factory, so a kind is listed and watched once.
 */
import { ListWatch, type KubeConfig, type KubernetesListObject, type KubernetesObject } from "@kubernetes/client-node";
import type { KubeObject } from "@spillway/api";
import { ExponentialBackoff } from "./backoff.ts";
import type { ResourceClient } from "./resource-client.ts";
import { CountingWatch, emptyWatchStats, type WatchStats } from "./watch-stats.ts";

import type { CachedSource, EventHandler, ObjectLike } from "./object-store.ts";

export type { EventHandler, ObjectLike } from "./object-store.ts";

export interface InformerOptions<T extends ObjectLike> {
  /** The collection URL, e.g. `/apis/spillway.dev/v1alpha1/memberclusters`. */
  path: string;
  list: () => Promise<{ metadata?: { resourceVersion?: string }; items: T[] }>;
  labelSelector?: string;
  /** Longest wait between restarts after errors (default 30 s). */
  maxBackoffMs?: number;
  onError?: (err: unknown, retryInMs: number) => void;
  /**
   * Shrinks each added or updated object in place once every handler has seen it, so the cache
   * keeps only what its readers need (client-go's transform; at 100k pods the cache is most of a
   * process). Handlers see the whole object first, so one that needs more copies it then; a
   * handler added later is replayed the shrunk objects.
   */
  compact?: (obj: T) => void;
}

export type InformerStats = WatchStats & { objects: number };

export class Informer<T extends ObjectLike> implements CachedSource<T> {
  // ListWatch is typed for client-node models; it only ever reads metadata, so plain JSON is fine.
  private readonly listWatch: ListWatch<KubernetesObject>;
  private readonly backoff: ExponentialBackoff<"restart">;
  private readonly handlers: EventHandler<T>[] = [];
  private synced = false;
  private attemptFailed = false;
  private stopped = true;
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly syncWaiters: Array<() => void> = [];
  private readonly options: InformerOptions<T>;
  private readonly counts = emptyWatchStats();
  // Kept from the cache's own add and delete callbacks (client-node calls them only for an object
  // it added or removed): counting the cache's list() built a 33,000-object array per metrics scrape.
  private objects = 0;

  constructor(kubeConfig: KubeConfig, options: InformerOptions<T>) {
    this.options = options;
    this.backoff = new ExponentialBackoff({ baseMs: 200, maxMs: options.maxBackoffMs ?? 30_000 });
    const list = async () => {
      const listed = await options.list();
      this.counts.lists++;
      return listed as unknown as KubernetesListObject<KubernetesObject>;
    };
    this.listWatch = new ListWatch(options.path, new CountingWatch(kubeConfig, this.counts), list, false, options.labelSelector);
    this.listWatch.on("add", (o) => {
      this.objects++;
      this.emit("add", o as T);
    });
    this.listWatch.on("update", (o) => this.emit("update", o as T));
    this.listWatch.on("delete", (o) => {
      this.objects--;
      this.emit("delete", o as T);
    });
    // ListWatch reports "connect" before it lists, so only an attempt that ends without an error
    // (see attempt()) resets the backoff; otherwise a dead server would be retried every 200 ms.
    this.listWatch.on("error", (err) => {
      this.counts.failures++;
      this.attemptFailed = true;
      this.restart(err);
    });
  }

  /** Registers a handler; it is called for every change, and for objects already cached. */
  addHandler(handler: EventHandler<T>): void {
    this.handlers.push(handler);
    for (const obj of this.listWatch.list()) handler("add", obj as T);
  }

  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    await this.attempt();
  }

  private async attempt(): Promise<void> {
    this.attemptFailed = false;
    try {
      await this.listWatch.start();
    } catch (err) {
      this.counts.failures++;
      this.attemptFailed = true;
      this.restart(err);
      return;
    }
    if (!this.attemptFailed) {
      this.backoff.forget("restart");
      this.markSynced();
    }
  }

  /** Resolves once the first list has been loaded into the cache. */
  hasSynced(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    await this.listWatch.stop();
  }

  get(name: string, namespace?: string): T | undefined {
    return this.listWatch.get(name, namespace) as T | undefined;
  }

  list(namespace?: string): readonly T[] {
    return this.listWatch.list(namespace) as readonly T[];
  }

  /** What the list-and-watch has been through so far, and how many objects the cache holds. */
  stats(): InformerStats {
    return { ...this.counts, objects: this.objects };
  }

  private emit(type: "add" | "update" | "delete", obj: T): void {
    for (const handler of this.handlers) handler(type, obj);
    if (type !== "delete") this.options.compact?.(obj);
  }

  private markSynced(): void {
    // ListWatch reports a failed list through its error callback and still resolves start(); only
    // a resourceVersion proves the cache was filled.
    if (this.synced || this.listWatch.latestResourceVersion() === "") return;
    this.synced = true;
    for (const resolve of this.syncWaiters.splice(0)) resolve();
  }

  private restart(err: unknown): void {
    if (this.stopped) return;
    const delay = this.backoff.next("restart");
    this.options.onError?.(err, delay);
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (!this.stopped) void this.attempt();
    }, delay);
    this.restartTimer.unref();
  }
}

/** Hands out one informer per (path, selector) so controllers of one process share the cache. */
export class InformerFactory {
  private readonly informers = new Map<string, Informer<ObjectLike>>();
  private readonly kubeConfig: KubeConfig;

  constructor(kubeConfig: KubeConfig) {
    this.kubeConfig = kubeConfig;
  }

  informerFor<T extends ObjectLike>(options: InformerOptions<T>): Informer<T> {
    const key = `${options.path}?${options.labelSelector ?? ""}`;
    let informer = this.informers.get(key);
    if (!informer) {
      informer = new Informer<T>(this.kubeConfig, options) as unknown as Informer<ObjectLike>;
      this.informers.set(key, informer);
    }
    return informer as unknown as Informer<T>;
  }

  /** The informer of a custom kind, listed through its client. */
  forKind<T extends KubeObject<unknown, unknown>>(client: Pick<ResourceClient<T>, "path" | "list">): Informer<T> {
    return this.informerFor<T>({ path: client.path, list: () => client.list() });
  }

  async start(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.start()));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }
}
