/**
 * A typed NATS client: publish and subscribe by topic, and JetStream KV buckets. NATS makes the
 * services fast to react; it is never the only path (controllers resync from the API), so a
 * publish while NATS is down is logged by the caller and dropped, not retried forever.
 */
import { connect, type NatsConnection, type Subscription } from "@nats-io/transport-node";
import { Kvm, type KV } from "@nats-io/kv";
import type { Codec } from "./codec.ts";
import type { Topic } from "./topics.ts";

export interface BusOptions {
  servers: string | string[];
  name: string;
}

export class Bus {
  readonly connection: NatsConnection;
  private readonly kvm: Kvm;
  private readonly subscriptions: Subscription[] = [];

  private constructor(connection: NatsConnection) {
    this.connection = connection;
    this.kvm = new Kvm(connection);
  }

  static async connect(options: BusOptions): Promise<Bus> {
    try {
      const nc = await connect({
        servers: options.servers,
        name: options.name,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 1000,
      });
      return new Bus(nc);
    } catch (err) {
      throw new Error(`connect to NATS at ${String(options.servers)}`, { cause: err });
    }
  }

  publish<Args extends unknown[], T>(topic: Topic<Args, T>, value: T, ...args: Args): void {
    this.connection.publish(topic.subject(...args), topic.codec.encode(value));
  }

  /** Subscribes to every instance of `topic`; handler errors are reported, never thrown into NATS. */
  subscribe<Args extends unknown[], T>(
    topic: Topic<Args, T>,
    handler: (value: T, subject: string) => void | Promise<void>,
    onError: (err: unknown, subject: string) => void = () => {},
  ): Subscription {
    const sub = this.connection.subscribe(topic.all, {
      callback: (err, msg) => {
        if (err) return onError(err, topic.all);
        try {
          Promise.resolve(handler(topic.codec.decode(msg.data), msg.subject)).catch((e: unknown) => onError(e, msg.subject));
        } catch (e) {
          onError(e, msg.subject);
        }
      },
    });
    this.subscriptions.push(sub);
    return sub;
  }

  /**
   * A topic as an event source a controller can watch: each message is an "update" of its value.
   * Subscribes once, on the first handler.
   */
  events<Args extends unknown[], T>(
    topic: Topic<Args, T>,
    onError?: (err: unknown, subject: string) => void,
  ): { addHandler(handler: (type: "update", value: T) => void): void } {
    const handlers: Array<(type: "update", value: T) => void> = [];
    return {
      addHandler: (handler) => {
        if (handlers.length === 0) this.subscribe(topic, (v) => handlers.forEach((h) => h("update", v)), onError);
        handlers.push(handler);
      },
    };
  }

  /** Opens (creating if needed) a KV bucket with a typed codec. */
  async kv<T>(bucket: string, codec: Codec<T>, history = 1): Promise<TypedKV<T>> {
    return new TypedKV(await this.kvm.create(bucket, { history }), codec);
  }

  async close(): Promise<void> {
    for (const sub of this.subscriptions) sub.unsubscribe();
    await this.connection.drain().catch(() => this.connection.close());
  }
}

/** A JetStream KV bucket whose values are encoded with one codec. */
export class TypedKV<T> {
  readonly raw: KV;
  private readonly codec: Codec<T>;

  constructor(raw: KV, codec: Codec<T>) {
    this.raw = raw;
    this.codec = codec;
  }

  put(key: string, value: T): Promise<number> {
    return this.raw.put(key, this.codec.encode(value));
  }

  async get(key: string): Promise<{ value: T; revision: number } | undefined> {
    const entry = await this.raw.get(key);
    if (!entry || entry.operation !== "PUT") return undefined;
    return { value: this.codec.decode(entry.value), revision: entry.revision };
  }

  async delete(key: string): Promise<void> {
    await this.raw.delete(key);
  }
}
