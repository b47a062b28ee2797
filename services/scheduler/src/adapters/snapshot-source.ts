/**
 * The member snapshots, streamed from cluster-gateway's WatchSnapshots (current state first, then
 * each change). The stream is re-opened with backoff, trying each configured gateway address in
 * turn, so a gateway restart or failover costs a re-sync, not correctness.
 */
import { createClient, ClusterRegistry, type ClusterSnapshot, type ServiceClient } from "@spillway/proto";
import { ExponentialBackoff } from "@spillway/kit";
import { errorFields, type Logger } from "@spillway/telemetry";

export class SnapshotSource {
  private readonly snapshots = new Map<string, ClusterSnapshot>();
  private readonly listeners: Array<(cluster: string) => void> = [];
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

  onChange(listener: (cluster: string) => void): void {
    this.listeners.push(listener);
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
          for (const l of this.listeners) l(s.cluster);
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
