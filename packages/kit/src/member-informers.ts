/**
 * Informers on member clusters: one per (member, resource, label selector), started lazily the
 * first time a controller needs that member, shared by every controller of the process, and
 * restarted when the member's kubeconfig changes. "Has this member been listed since this process
 * started?" is a first-class question: a controller that hands out budget (fleet-root) or
 * ordinals (stateful-orchestrator) must not act on a member it has not seen, since the member may
 * hold something granted before a restart.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import type { MemberCluster } from "@spillway/api";
import { Informer } from "./informer.ts";
import type { MemberClient, MemberClients } from "./member-clients.ts";
import type { EventHandler, EventSource, ObjectCache, ObjectLike, ObjectList } from "./object-store.ts";

export interface MemberResource<T> {
  /** The collection path, all namespaces, e.g. `/apis/apps/v1/deployments`. */
  path: string;
  labelSelector?: string;
  list: (kubeConfig: KubeConfig, labelSelector: string | undefined) => Promise<ObjectList<T>>;
}

/** One member's cache of one resource. */
export interface MemberCache<T> extends ObjectCache<T> {
  readonly cluster: string;
  /** Listed since this process started (or since the member's kubeconfig last changed). */
  readonly synced: boolean;
}

/** A change to an object in a member, with the member it happened in. */
export interface MemberEvent<T> {
  cluster: string;
  object: T;
}

/** What controllers depend on; the kit's `FakeMemberObjects` implements it for unit tests. */
export interface MemberObjects<T> extends EventSource<MemberEvent<T>> {
  /** The member's cache, started if need be; throws when the member has no usable client. */
  ensure(member: MemberCluster): Promise<MemberCache<T>>;
  cache(cluster: string): MemberCache<T> | undefined;
  /** Members where an object of this name and namespace is cached. */
  clustersHolding(name: string, namespace: string): string[];
  /** The name of each member whose cache has just been listed (what a "listed since start" hold waits for). */
  readonly synced: EventSource<string>;
}

interface Entry<T> extends MemberCache<T> {
  fingerprint: string;
  informer: Informer<T & ObjectLike>;
  synced: boolean;
}

/** A member resource's informers across the fleet. */
export class MemberInformers<T extends ObjectLike> implements MemberObjects<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly handlers: EventHandler<MemberEvent<T>>[] = [];
  private readonly syncHandlers: EventHandler<string>[] = [];
  readonly synced: EventSource<string> = { addHandler: (h) => void this.syncHandlers.push(h) };
  private readonly clients: Pick<MemberClients, "get">;
  private readonly resource: MemberResource<T>;
  private readonly onError: ((cluster: string, err: unknown, retryInMs: number) => void) | undefined;

  constructor(
    clients: Pick<MemberClients, "get">,
    resource: MemberResource<T>,
    onError?: (cluster: string, err: unknown, retryInMs: number) => void,
  ) {
    this.clients = clients;
    this.resource = resource;
    this.onError = onError;
  }

  async ensure(member: MemberCluster): Promise<MemberCache<T>> {
    const { client } = await this.clients.get(member);
    return this.ensureFor(client);
  }

  /** Starts (or restarts, after a kubeconfig change) the informer for a member's client. */
  private ensureFor(client: MemberClient): MemberCache<T> {
    const existing = this.entries.get(client.name);
    if (existing?.fingerprint === client.fingerprint) return existing;
    void existing?.informer.stop();
    const { path, labelSelector, list } = this.resource;
    const informer = new Informer<T & ObjectLike>(client.kubeConfig, {
      path,
      labelSelector,
      list: () => list(client.kubeConfig, labelSelector) as Promise<ObjectList<T & ObjectLike>>,
      maxBackoffMs: 5000,
      onError: (err, retryInMs) => this.onError?.(client.name, err, retryInMs),
    });
    const entry: Entry<T> = {
      cluster: client.name,
      fingerprint: client.fingerprint,
      informer,
      synced: false,
      get: (name, namespace) => informer.get(name, namespace),
      list: (namespace) => informer.list(namespace),
    };
    informer.addHandler((type, object) => {
      if (this.entries.get(client.name) !== entry) return;
      for (const h of this.handlers) h(type, { cluster: client.name, object });
    });
    this.entries.set(client.name, entry);
    void informer.start();
    void informer.hasSynced().then(() => {
      if (this.entries.get(client.name) !== entry) return;
      entry.synced = true;
      // Whoever waits for "seen" looks again now.
      for (const h of this.syncHandlers) h("update", client.name);
    });
    return entry;
  }

  cache(cluster: string): MemberCache<T> | undefined {
    return this.entries.get(cluster);
  }

  clustersHolding(name: string, namespace: string): string[] {
    return [...this.entries.values()].filter((e) => e.informer.get(name, namespace)).map((e) => e.cluster);
  }

  addHandler(handler: EventHandler<MemberEvent<T>>): void {
    this.handlers.push(handler);
    for (const e of this.entries.values()) for (const object of e.informer.list()) handler("add", { cluster: e.cluster, object });
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.entries.values()].map((e) => e.informer.stop()));
  }
}
