/**
 * The member snapshots, streamed from cluster-gateway's WatchSnapshots (current state first, then
 * each change). The stream is re-opened with backoff, trying each configured gateway address in
 * turn, so a gateway restart or failover costs a re-sync, not correctness.
 */
import { createClient, ClusterRegistry, type ClusterSnapshot, type ServiceClient } from "@spillway/proto";
import { ExponentialBackoff, type EventHandler } from "@spillway/kit";
import { errorFields, type Logger } from "@spillway/telemetry";
import { snapshotDelta, type Room, type SnapshotDelta } from "../core/affected.ts";
import { vector } from "./cluster-views.ts";

/** The workload (`namespace/name`) an owner of pods belongs to: `<name>-<hash>` ReplicaSets, or a StatefulSet. */
export function workloadOfOwner(ownerKey: string): string | undefined {
  const [ns, kind, name] = ownerKey.split("/");
  if (!ns || !name) return undefined;
  if (kind === "ReplicaSet") {
    const dash = name.lastIndexOf("-");
    return dash > 0 ? `${ns}/${name.slice(0, dash)}` : undefined;
  }
  return kind === "StatefulSet" ? `${ns}/${name}` : undefined;
}

function digest(s: ClusterSnapshot): { room: Room; owners: Map<string, number> } {
  return {
    room: new Map(s.nodes.map((n) => [n.name, { ...vector(n.free), pods: n.maxPods - n.podCount }])),
    owners: new Map([
      ...s.owners.map((o) => [`${o.namespace}/${o.ownerKind}/${o.ownerName}`, o.bound] as const),
      ...s.pending.map((p) => [`${p.namespace}/${p.ownerKind}/${p.ownerName}#pending`, p.count] as const),
    ]),
  };
}

export interface SnapshotChange {
  cluster: string;
  delta: SnapshotDelta;
}

export class SnapshotSource {
  private readonly snapshots = new Map<string, ClusterSnapshot>();
  private readonly listeners: Array<(cluster: string, delta: SnapshotDelta) => void> = [];
  private readonly digests = new Map<string, ReturnType<typeof digest>>();
  private readonly addresses: string[];
  private readonly log: Logger;
  private readonly backoff = new ExponentialBackoff<"stream">({ baseMs: 200, maxMs: 5000 });
  private client: ServiceClient<(typeof ClusterRegistry)["method"]> | undefined;
  private abort: AbortController | undefined;
  private stopped = false;
  private connected = false;

  constructor(addresses: string[], log: Logger) {
    this.addresses = addresses;
    this.log = log;
  }

  get(cluster: string): ClusterSnapshot | undefined {
    return this.snapshots.get(cluster);
  }

  get isConnected(): boolean {
    return this.connected;
  }

  /** Each snapshot change, with what changed (an EventSource, so controllers declare it as a watch). */
  addHandler(handler: EventHandler<SnapshotChange>): void {
    this.listeners.push((cluster, delta) => handler("update", { cluster, delta }));
  }

  start(): void {
    void this.run();
  }

  stop(): void {
    this.stopped = true;
    this.abort?.abort();
    this.client?.close();
  }

  private async run(): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      const address = this.addresses[attempt % this.addresses.length]!;
      this.client?.close();
      this.client = createClient(ClusterRegistry, address);
      this.abort = new AbortController();
      try {
        for await (const msg of this.client.watchSnapshots({ clusters: [] }, { signal: this.abort.signal })) {
          if (!this.connected) this.log.info({ gateway: address }, "receiving member snapshots");
          this.connected = true;
          this.backoff.forget("stream");
          const s = msg.snapshot!;
          const prior = this.snapshots.get(s.cluster);
          if (prior && prior.revision >= s.revision && prior.takenAtUnixMillis >= s.takenAtUnixMillis) continue;
          this.snapshots.set(s.cluster, s);
          const next = digest(s);
          const delta = snapshotDelta(this.digests.get(s.cluster), next, (k) => workloadOfOwner(k.replace(/#pending$/, "")));
          this.digests.set(s.cluster, next);
          for (const l of this.listeners) l(s.cluster, delta);
        }
        throw new Error("stream ended");
      } catch (err) {
        this.connected = false;
        if (this.stopped) return;
        const wait = this.backoff.next("stream");
        this.log.warn(
          { gateway: address, retryInMs: wait, ...errorFields(err) },
          "snapshot stream from cluster-gateway broke; reconnecting",
        );
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }
}
