/**
 * The target's pods with their usage across the fleet, and a Pods metric of them read in each
 * member, from cluster-gateway's FleetMetrics (any of its replicas: each answers from its own
 * watches and member connections). Tries the addresses in order.
 */
import { createClient, FleetMetrics, ReadyState, type LabelSelector as ProtoSelector, type ServiceClient } from "@spillway/proto";
import type { LabelSelector } from "@spillway/rules";
import { podKey, type FleetPod } from "../core/pod-readings.ts";
import type { TimedValue } from "./host-metrics-api.ts";

export interface FleetPods {
  /** A member whose metrics could not be read serves its pods without usage: missing metrics. */
  pods: FleetPod[];
}

const READY = { [ReadyState.TRUE]: "True", [ReadyState.FALSE]: "False", [ReadyState.UNSPECIFIED]: undefined } as const;

const toProto = (selector: LabelSelector): ProtoSelector =>
  ({
    matchLabels: selector.matchLabels ?? {},
    matchExpressions: (selector.matchExpressions ?? []).map((e) => ({ key: e.key, operator: e.operator, values: e.values ?? [] })),
  }) as ProtoSelector;

export class FleetMetricsClient {
  private readonly clients: Array<{ addr: string; client: ServiceClient<typeof FleetMetrics.method> }>;

  constructor(addrs: string[]) {
    if (addrs.length === 0) throw new Error("--gateway-addr names no cluster-gateway");
    this.clients = addrs.map((addr) => ({ addr, client: createClient(FleetMetrics, addr) }));
  }

  /** The first gateway replica that answers; every one's error when none does. */
  private async ask<T>(what: string, call: (client: ServiceClient<typeof FleetMetrics.method>) => Promise<T>): Promise<T> {
    const errors: string[] = [];
    for (const { addr, client } of this.clients) {
      try {
        return await call(client);
      } catch (err) {
        errors.push(`${addr}: ${(err as Error).message}`);
      }
    }
    throw new Error(`unable to get ${what} from cluster-gateway (${errors.join("; ")})`);
  }

  /**
   * A Pods metric of the target's pods, read in each member, by `podKey`. A member that could not
   * answer leaves its pods without a value (missing metrics); none answering is an error.
   */
  async podsMetric(
    namespace: string,
    selector: LabelSelector,
    metric: string,
    metricSelector?: LabelSelector,
  ): Promise<Map<string, TimedValue>> {
    const res = await this.ask(`pods metric ${metric}`, (client) =>
      client.getPodsCustomMetric(
        { namespace, selector: toProto(selector), metric, ...(metricSelector ? { metricSelector: toProto(metricSelector) } : {}) },
        { deadlineMs: 8000 },
      ),
    );
    if (res.members.length > 0 && res.members.every((m) => !m.ok))
      throw new Error(
        `unable to read pods metric ${metric} in any member: ${res.members.map((m) => `${m.cluster}: ${m.error}`).join("; ")}`,
      );
    return new Map(
      res.values.map((v) => [
        podKey(v.cluster, v.pod),
        { value: Number(v.valueMilli), timestampMs: Number(v.timestampUnixMillis), windowMs: Number(v.windowMillis) },
      ]),
    );
  }

  async pods(namespace: string, selector: LabelSelector): Promise<FleetPods> {
    return this.ask("pod metrics", async (client) => {
      const res = await client.getPodMetrics({ namespace, selector: toProto(selector) }, { deadlineMs: 5000 });
      return {
        pods: res.pods.map((p) => ({
          cluster: p.cluster,
          name: p.name,
          phase: p.phase,
          deleting: p.deleting,
          ready: READY[p.ready],
          readyTransitionMs: Number(p.readyTransitionUnixMillis),
          startMs: Number(p.startUnixMillis),
          containers: p.containers.map((c) => ({
            name: c.name,
            requestsMilli: Object.fromEntries(Object.entries(c.requestsMilli).map(([k, v]) => [k, Number(v)])),
            usageMilli: Object.fromEntries(Object.entries(c.usageMilli).map(([k, v]) => [k, Number(v)])),
          })),
          hasUsage: p.hasUsage,
          usageTimestampMs: Number(p.usageTimestampUnixMillis),
          usageWindowMs: Number(p.usageWindowMillis),
        })),
      };
    });
  }

  close(): void {
    for (const c of this.clients) c.client.close();
  }
}
