/**
 * Feeds one member's objects of every fleet resource into the fleet keyspace (ADR 0008): one watch
 * per member and resource, however many clients the fleet API has. Pods and nodes share the
 * member connection's own watches. After each first list, what the keyspace still held of this
 * member but the member no longer has is deleted — deletions that happened while the gateway was
 * away or reconnecting reach open watches too; later relists (a member that comes back) deliver
 * theirs through the watch's own relist.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { Informer, type InformerStats } from "@spillway/kit";
import { errorFields, type Logger } from "@spillway/telemetry";
import type { FleetObjects, MemberObject } from "../core/fleet-objects.ts";
import { collectionPath, fleetResources, type FleetResource } from "@spillway/api";
import { memberList } from "./member-list.ts";

/** What the feed needs of a watch; pods and nodes come from the connection's own (typed) ones. */
export interface WatchSource {
  addHandler(handler: (type: "add" | "update" | "delete", obj: MemberObject) => void): void;
  list(): readonly MemberObject[];
  hasSynced(): Promise<void>;
}

export class MemberFleetFeed {
  private readonly cluster: string;
  private readonly objects: FleetObjects;
  private readonly log: Logger;
  private readonly informers = new Map<FleetResource, WatchSource>();
  /** Informers this feed started (not the connection's shared ones), by resource. */
  private readonly own = new Map<string, Informer<{ metadata?: { name?: string } }>>();
  private stopped = false;

  constructor(
    cluster: string,
    kc: KubeConfig,
    objects: FleetObjects,
    shared: ReadonlyMap<string, WatchSource>,
    log: Logger,
    maxBackoffMs: number,
  ) {
    this.cluster = cluster;
    this.objects = objects;
    this.log = log;
    // Secrets and ServiceAccounts of members are theirs alone: only the host's are fleet-level.
    for (const r of fleetResources.filter((x) => x.fromMembers !== false)) {
      let informer = shared.get(r.resource);
      if (!informer) {
        const path = collectionPath(r);
        const own = new Informer<{ metadata?: { name?: string } }>(kc, {
          path,
          list: memberList<MemberObject>(kc, cluster, r.resource, path, log),
          maxBackoffMs,
          onError: (err, retryInMs) =>
            log.warn({ informer: r.resource, retryInMs, ...errorFields(err) }, "member watch failed; restarting"),
        });
        this.own.set(r.resource, own);
        informer = own as WatchSource;
      }
      this.informers.set(r, informer);
      informer.addHandler((type, obj) => this.apply(r, type === "delete", obj));
    }
  }

  start(): void {
    for (const informer of this.own.values()) void informer.start();
    for (const [r, informer] of this.informers) void informer.hasSynced().then(() => this.dropVanished(r, informer));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.own.values()].map((i) => i.stop()));
  }

  /** The watches this feed opened itself, by resource. */
  watchStats(): Array<{ resource: string; stats: InformerStats }> {
    return [...this.own].map(([resource, informer]) => ({ resource, stats: informer.stats() }));
  }

  private apply(r: FleetResource, deleted: boolean, obj: MemberObject): void {
    if (this.stopped) return;
    try {
      if (deleted) this.objects.remove(r, this.cluster, obj.metadata?.namespace, obj.metadata?.name ?? "");
      else this.objects.upsert(r, this.cluster, obj);
    } catch (err) {
      // A malformed member object must not take the gateway down; it is left out of the fleet.
      this.log.warn({ resource: r.resource, ...errorFields(err) }, "ignoring a member object the fleet API cannot serve");
    }
  }

  private dropVanished(r: FleetResource, informer: WatchSource): void {
    if (this.stopped) return;
    const present = new Set(informer.list().map((o) => `${o.metadata?.namespace ?? ""}/${o.metadata?.name ?? ""}`));
    for (const held of this.objects.heldBy(r, this.cluster)) {
      if (!present.has(`${held.namespace ?? ""}/${held.name}`)) this.objects.remove(r, this.cluster, held.namespace, held.name);
    }
  }
}
