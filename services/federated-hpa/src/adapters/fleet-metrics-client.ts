/**
 * The target's pods with their usage across the fleet, from cluster-gateway's FleetMetrics (any of
 * its replicas: each answers from its own watches). Tries the addresses in order.
 */
import { createClient, FleetMetrics, ReadyState, type ServiceClient } from "@spillway/proto";
import type { LabelSelector } from "@spillway/rules";
import type { FleetPod } from "../core/pod-readings.ts";

export interface FleetPods {
  /** A member whose metrics could not be read serves its pods without usage: missing metrics. */
  pods: FleetPod[];
}

const READY = { [ReadyState.TRUE]: "True", [ReadyState.FALSE]: "False", [ReadyState.UNSPECIFIED]: undefined } as const;

export class FleetMetricsClient {
  private readonly clients: Array<{ addr: string; client: ServiceClient<typeof FleetMetrics.method> }>;

  constructor(addrs: string[]) {
    if (addrs.length === 0) throw new Error("--gateway-addr names no cluster-gateway");
    this.clients = addrs.map((addr) => ({ addr, client: createClient(FleetMetrics, addr) }));
  }

  async pods(namespace: string, selector: LabelSelector): Promise<FleetPods> {
    const errors: string[] = [];
    for (const { addr, client } of this.clients) {
      try {
        const res = await client.getPodMetrics(
          {
            namespace,
            selector: {
              matchLabels: selector.matchLabels ?? {},
              matchExpressions: (selector.matchExpressions ?? []).map((e) => ({
                key: e.key,
                operator: e.operator,
                values: e.values ?? [],
              })),
            },
          },
          { deadlineMs: 5000 },
        );
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
      } catch (err) {
        errors.push(`${addr}: ${(err as Error).message}`);
      }
    }
    throw new Error(`unable to get pod metrics from cluster-gateway (${errors.join("; ")})`);
  }

  close(): void {
    for (const c of this.clients) c.client.close();
  }
}
