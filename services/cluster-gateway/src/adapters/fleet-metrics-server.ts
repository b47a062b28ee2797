/**
 * gRPC `FleetMetrics`: a workload's pods in every connected member with their usage, answered from
 * memory (each member's pod watch and its last PodMetrics list), so a read costs the members
 * nothing. A member that is not Ready still lists the pods its watch last saw, without usage.
 */
import type { LabelSelector as Selector } from "@spillway/rules";
import type { GetPodMetricsRequest, LabelSelector } from "@spillway/proto";
import { ReadyState } from "@spillway/proto";
import { podSamples, type PodObject } from "../core/pod-samples.ts";
import type { Registry } from "./registry.ts";

const selectorOf = (s: LabelSelector | undefined): Selector => ({
  matchLabels: { ...(s?.matchLabels ?? {}) },
  matchExpressions: (s?.matchExpressions ?? []).map((e) => ({
    key: e.key,
    operator: e.operator as "In" | "NotIn" | "Exists" | "DoesNotExist",
    values: [...e.values],
  })),
});

const readyState = { True: ReadyState.TRUE, False: ReadyState.FALSE } as const;

export function fleetMetricsService(registry: Registry) {
  return {
    async getPodMetrics(req: GetPodMetricsRequest) {
      const selector = selectorOf(req.selector);
      const pods = [];
      const members = [];
      for (const { member, connection: c } of registry.list()) {
        if (!c || !c.synced) continue;
        const ready = c.health.ready;
        const usage = ready && c.metrics.state.ok ? c.metrics.usage : undefined;
        members.push({
          cluster: member.metadata.name!,
          ok: usage !== undefined,
          error: !ready ? `member not Ready: ${c.health.message ?? c.health.reason ?? "unreachable"}` : c.metrics.state.error,
          listedAtUnixMillis: BigInt(c.metrics.state.listedAtMs),
        });
        for (const p of podSamples(member.metadata.name!, c.podsIn(req.namespace) as readonly PodObject[], usage, selector)) {
          pods.push({
            cluster: p.cluster,
            name: p.name,
            phase: p.phase,
            deleting: p.deleting,
            ready: p.ready ? readyState[p.ready] : ReadyState.UNSPECIFIED,
            readyTransitionUnixMillis: BigInt(p.readyTransitionMs),
            startUnixMillis: BigInt(p.startMs),
            containers: p.containers.map((x) => ({
              name: x.name,
              requestsMilli: Object.fromEntries(Object.entries(x.requestsMilli).map(([k, v]) => [k, BigInt(Math.round(v))])),
              usageMilli: Object.fromEntries(Object.entries(x.usageMilli).map(([k, v]) => [k, BigInt(Math.round(v))])),
            })),
            hasUsage: p.hasUsage,
            usageTimestampUnixMillis: BigInt(p.usageTimestampMs),
            usageWindowMillis: BigInt(p.usageWindowMs),
          });
        }
      }
      return { pods, members };
    },
  };
}
