/**
 * The member registry: one MemberConnection per MemberCluster, built from the Secret its spec
 * names and rebuilt when the kubeconfig bytes change. Runs on every replica (each serves reads).
 * A member whose Secret is missing or unusable has no connection, only a `configError` that the
 * status controller reports; other members are unaffected.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import type { MemberCluster } from "@spillway/api";
import { KubeconfigInvalid, MemberClients, WorkQueue, type EventHandler, type Informer } from "@spillway/kit";
import { errorFields, type Logger } from "@spillway/telemetry";
import { fleetResources } from "@spillway/api";
import { defaultConnectionOptions, MemberConnection, type ConnectionOptions } from "./member-connection.ts";

export interface RegistryEntry {
  member: MemberCluster;
  connection?: MemberConnection;
  configError?: { reason: "KubeconfigInvalid"; message: string };
}

export class Registry {
  private readonly entries = new Map<string, RegistryEntry>();
  private readonly queue: WorkQueue;
  private readonly clients: MemberClients;
  private readonly listeners: Array<(name: string) => void> = [];
  private readonly members: Informer<MemberCluster>;
  private readonly log: Logger;
  private readonly options: ConnectionOptions;
  private resync: NodeJS.Timeout | undefined;

  constructor(hostKc: KubeConfig, members: Informer<MemberCluster>, log: Logger, options: ConnectionOptions = defaultConnectionOptions) {
    // Re-read on every sync (maxAge 0): a changed Secret must reconnect at once.
    this.clients = new MemberClients(hostKc, 0);
    this.members = members;
    this.log = log;
    this.options = options;
    this.queue = new WorkQueue((name) => this.sync(name), {
      concurrency: 4,
      onError: (name, err, retryInMs) => log.warn({ cluster: name, retryInMs, ...errorFields(err) }, "registry sync failed"),
    });
    members.addHandler((_type, m) => this.queue.add(m.metadata.name!));
  }

  /** Called with a member's name whenever anything about it changes. */
  onChange(listener: (name: string) => void): void {
    this.listeners.push(listener);
  }

  /** The same, as an EventSource a controller declares as a watch. */
  addHandler(handler: EventHandler<string>): void {
    this.listeners.push((name) => handler("update", name));
  }

  offChange(listener: (name: string) => void): void {
    const i = this.listeners.indexOf(listener);
    if (i >= 0) this.listeners.splice(i, 1);
  }

  get(name: string): RegistryEntry | undefined {
    return this.entries.get(name);
  }

  list(): RegistryEntry[] {
    return [...this.entries.values()].sort((a, b) => (a.member.metadata.name! < b.member.metadata.name! ? -1 : 1));
  }

  /** A Secret changed: re-read every member that references it. */
  secretChanged(namespace: string, name: string): void {
    for (const m of this.members.list()) {
      const ref = m.spec?.kubeconfigSecretRef;
      if (ref?.namespace === namespace && ref.name === name) this.queue.add(m.metadata.name!);
    }
  }

  start(resyncMs = 30_000): void {
    // Secrets outside the watched namespace are only seen by this resync.
    this.resync = setInterval(() => {
      for (const m of this.members.list()) this.queue.add(m.metadata.name!);
    }, resyncMs);
    this.resync.unref();
  }

  async stop(): Promise<void> {
    if (this.resync) clearInterval(this.resync);
    await this.queue.shutdown();
    await Promise.allSettled([...this.entries.values()].map((e) => e.connection?.stop()));
  }

  private notify(name: string): void {
    for (const l of this.listeners) l(name);
  }

  private async sync(name: string): Promise<void> {
    const member = this.members.get(name);
    const entry = this.entries.get(name);
    if (!member || member.metadata.deletionTimestamp) {
      if (entry) {
        this.entries.delete(name);
        await entry.connection?.stop();
        // A member that left the fleet takes its objects out of the fleet API (deletions to watchers).
        this.options.fleet?.removeCluster(fleetResources, name);
        this.log.info({ cluster: name }, "member removed; connection closed");
        this.notify(name);
      }
      return;
    }
    let client;
    try {
      ({ client } = await this.clients.get(member));
    } catch (err) {
      if (err instanceof KubeconfigInvalid) return this.setError(name, member, entry, err.message);
      throw err;
    }
    if (entry?.connection?.fingerprint === client.fingerprint) {
      entry.member = member;
      return;
    }
    await entry?.connection?.stop();
    const connection = new MemberConnection(name, client.kubeConfig, client.fingerprint, this.log, (n) => this.notify(n), this.options);
    this.entries.set(name, { member, connection });
    connection.start();
    this.log.info(
      { cluster: name, server: connection.server },
      entry?.connection ? "member kubeconfig changed; reconnected" : "member connected",
    );
    this.notify(name);
  }

  private async setError(name: string, member: MemberCluster, entry: RegistryEntry | undefined, message: string): Promise<void> {
    await entry?.connection?.stop();
    if (entry?.configError?.message !== message)
      this.log.warn({ cluster: name, reason: "KubeconfigInvalid", message }, "member kubeconfig unusable");
    this.entries.set(name, { member, configError: { reason: "KubeconfigInvalid", message } });
    this.notify(name);
  }
}
