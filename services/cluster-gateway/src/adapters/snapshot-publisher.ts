/**
 * Publishes each member's latest snapshot: protobuf bytes in the JetStream KV bucket
 * `spillway-snapshots` (key = cluster) and an event on `spillway.cluster.<name>.snapshot`, at most
 * once per second per cluster and never dropping the last change. Only the leader publishes.
 */
import { toBinary } from "@bufbuild/protobuf";
import { topics, type Bus, type TypedKV } from "@spillway/bus";
import { Coalescer } from "@spillway/kit";
import { ClusterSnapshotSchema } from "@spillway/proto";
import { errorFields, type Logger } from "@spillway/telemetry";
import type { Registry } from "./registry.ts";
import { snapshotMessage } from "./snapshot-message.ts";

export const SNAPSHOT_BUCKET = "spillway-snapshots";

const bytesCodec = { encode: (b: Uint8Array) => b, decode: (b: Uint8Array) => b };

export class SnapshotPublisher {
  private kv: TypedKV<Uint8Array> | undefined;
  private readonly coalescer: Coalescer;
  private readonly published = new Map<string, number>();
  private readonly bus: Bus;
  private readonly registry: Registry;
  private readonly log: Logger;

  constructor(bus: Bus, registry: Registry, log: Logger, intervalMs = 1000) {
    this.bus = bus;
    this.registry = registry;
    this.log = log;
    this.coalescer = new Coalescer(intervalMs, (name) => void this.publish(name));
  }

  async start(): Promise<void> {
    this.kv = await this.bus.kv(SNAPSHOT_BUCKET, bytesCodec);
    for (const e of this.registry.list()) this.coalescer.trigger(e.member.metadata.name!);
  }

  changed(name: string): void {
    if (this.kv) this.coalescer.trigger(name);
  }

  stop(): void {
    this.coalescer.stop();
  }

  private async publish(name: string): Promise<void> {
    const entry = this.registry.get(name);
    try {
      if (!entry?.connection) {
        if (this.published.delete(name)) await this.kv!.delete(name);
        return;
      }
      const builder = entry.connection.builder;
      if (!entry.connection.synced || this.published.get(name) === builder.revision) return;
      const snapshot = builder.snapshot(Date.now());
      await this.kv!.put(name, toBinary(ClusterSnapshotSchema, snapshotMessage(snapshot)));
      this.bus.publish(topics.clusterSnapshot, { cluster: name, revision: snapshot.revision }, name);
      this.published.set(name, snapshot.revision);
    } catch (err) {
      // NATS speeds consumers up; it is not their only source. Retry on the next change.
      this.log.warn({ cluster: name, ...errorFields(err) }, "publishing snapshot failed");
    }
  }
}
