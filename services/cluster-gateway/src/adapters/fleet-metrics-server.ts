/**
 * gRPC `FleetMetrics`: a workload's pods in every connected member with their usage, answered from
 * memory (each member's pod watch and its last PodMetrics list), so a read costs the members
 * nothing. A member that is not Ready still lists the pods its watch last saw, without usage.
 *
 * A Pods metric is read where the pods are: one request to each Ready member's custom metrics API,
 * all members at once. The read asks for every pod of the namespace, and is shared by every
 * autoscaler asking for the same namespace and metric within one metrics interval (as the
 * PodMetrics list is); each gets the values of the pods its selector matches in the member's pod
 * watch. A member's reads per minute then follow the namespaces and metrics autoscaled, not the
 * number of autoscalers: 1,000 autoscalers of one metric in one namespace asked each member
 * 1,000 reads a minute, with one adapter answer taking a second, and fell behind their period.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { customMetricPath, readCustomMetric, type MetricValue } from "@spillway/kit";
import { toUnits } from "@spillway/resources";
import { matchesSelector, type LabelSelector as Selector } from "@spillway/rules";
import type { GetPodMetricsRequest, GetPodsCustomMetricRequest, LabelSelector } from "@spillway/proto";
import { ReadyState } from "@spillway/proto";
import { podSamples, type PodObject } from "../core/pod-samples.ts";
import { SharedReads } from "../core/shared-reads.ts";
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

/** Reads one member's custom metric at `path`; a test passes its own. */
export type CustomMetricRead = (kc: KubeConfig, path: string, what: string) => Promise<MetricValue[]>;

const CUSTOM_METRIC_TIMEOUT_MS = 5000;
const readMember: CustomMetricRead = (kc, path, what) => readCustomMetric(kc, path, what, CUSTOM_METRIC_TIMEOUT_MS);

export interface FleetMetricsOptions {
  readCustom?: CustomMetricRead;
  /** How long one member's read of a namespace's Pods metric is shared (the metrics interval). */
  shareMs?: number;
}

export function fleetMetricsService(registry: Registry, options: FleetMetricsOptions = {}) {
  const readCustom = options.readCustom ?? readMember;
  const shared = new SharedReads<MetricValue[]>(options.shareMs ?? 15_000);
  return {
    async getPodsCustomMetric(req: GetPodsCustomMetricRequest) {
      const selector = selectorOf(req.selector);
      const metricSelector = req.metricSelector && selectorOf(req.metricSelector);
      // Every pod of the namespace: the selector is applied here, so that one read serves all.
      const path = customMetricPath(req.namespace, { resource: "pods", name: "*" }, req.metric, undefined, metricSelector);
      const asked = registry.list().filter(({ connection: c }) => !!c && c.synced);
      const answers = await Promise.all(
        asked.map(async ({ member, connection: c }) => {
          const cluster = member.metadata.name!;
          if (!c!.health.ready)
            return { cluster, error: `member not Ready: ${c!.health.message ?? c!.health.reason ?? "unreachable"}`, values: [] };
          try {
            const all = await shared.get(`${cluster}\n${path}`, () =>
              readCustom(c!.kubeConfig, path, `pods metric ${req.metric} in ${cluster}`),
            );
            const selected = new Set(
              c!
                .podsIn(req.namespace)
                .filter((p) => matchesSelector(p.metadata?.labels ?? {}, selector))
                .map((p) => p.metadata?.name),
            );
            return { cluster, values: all.filter((v) => selected.has(v.name)) };
          } catch (err) {
            return { cluster, error: (err as Error).message, values: [] };
          }
        }),
      );
      const now = BigInt(Date.now());
      return {
        values: answers.flatMap((a) =>
          a.values.map((v) => ({
            cluster: a.cluster,
            pod: v.name,
            valueMilli: BigInt(Math.round(toUnits(v.value, 1e-3))),
            timestampUnixMillis: BigInt(v.timestampMs),
            windowMillis: BigInt(v.windowMs),
          })),
        ),
        members: answers.map((a) => ({ cluster: a.cluster, ok: !a.error, error: a.error ?? "", listedAtUnixMillis: now })),
      };
    },
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
