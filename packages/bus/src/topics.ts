/**
 * The NATS subjects of docs/architecture.md, each with the payload type it carries. Publishers and
 * subscribers name a topic, never a raw subject string, so the two ends agree by construction.
 */
import { jsonCodec, type Codec } from "./codec.ts";

export interface Topic<Args extends unknown[], T> {
  subject: (...args: Args) => string;
  /** Wildcard subject matching every instance of the topic. */
  all: string;
  codec: Codec<T>;
}

export function topic<Args extends unknown[], T>(subject: (...args: Args) => string, all: string, codec: Codec<T>): Topic<Args, T> {
  return { subject, all, codec };
}

/** A member cluster's snapshot changed; the payload says which revision to fetch (KV or gRPC). */
export interface SnapshotChanged {
  cluster: string;
  revision: number;
}

/**
 * A member's PodMetrics were listed and usage changed in these namespaces: autoscalers there have
 * something new to read (over gRPC FleetMetrics).
 */
export interface MemberMetricsChanged {
  cluster: string;
  namespaces: string[];
}

/** A workload's placement changed. */
export interface PlacementChanged {
  namespace: string;
  name: string;
  kind: string;
  generation: number;
}

/** Progress of a federated rollout. */
export interface RolloutProgress {
  namespace: string;
  name: string;
  replicas: number;
  updatedReplicas: number;
  availableReplicas: number;
  complete: boolean;
}

/** The progress message of a workload from its aggregated status (Deployment- or StatefulSet-shaped). */
export function rolloutProgress(
  o: { metadata: { namespace?: string; name?: string } },
  s: { replicas?: number; updatedReplicas?: number; availableReplicas?: number },
  complete: boolean,
): RolloutProgress {
  return {
    namespace: o.metadata.namespace!,
    name: o.metadata.name!,
    replicas: s.replicas ?? 0,
    updatedReplicas: s.updatedReplicas ?? 0,
    availableReplicas: s.availableReplicas ?? 0,
    complete,
  };
}

export const topics = {
  clusterSnapshot: topic(
    (cluster: string) => `spillway.cluster.${cluster}.snapshot`,
    "spillway.cluster.*.snapshot",
    jsonCodec<SnapshotChanged>(),
  ),
  memberMetrics: topic((cluster: string) => `spillway.metrics.${cluster}`, "spillway.metrics.*", jsonCodec<MemberMetricsChanged>()),
  placement: topic(
    (namespace: string, name: string) => `spillway.placement.${namespace}.${name}`,
    "spillway.placement.>",
    jsonCodec<PlacementChanged>(),
  ),
  rollout: topic(
    (namespace: string, name: string) => `spillway.rollout.${namespace}.${name}`,
    "spillway.rollout.>",
    jsonCodec<RolloutProgress>(),
  ),
};
