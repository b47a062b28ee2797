/** Typed NATS topics and JetStream KV. */
export * from "./bus.ts";
export * from "./codec.ts";
export * from "./topics.ts";
