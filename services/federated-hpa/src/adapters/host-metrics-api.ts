/**
 * Pods, Object and External metrics from the host's aggregated metrics APIs
 * (`custom.metrics.k8s.io/v1beta2`, `external.metrics.k8s.io/v1beta1`), served in production by
 * Prometheus Adapter, KEDA or any adapter built on sigs.k8s.io/custom-metrics-apiserver. Values
 * come back in milli-units; an error names the metric and what the API said.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { kubeRequest } from "@spillway/kit";
import { toUnits } from "@spillway/resources";
import type { LabelSelector } from "@spillway/rules";
import { selectorString } from "@spillway/rules";

export interface TimedValue {
  value: number;
  timestampMs: number;
  windowMs: number;
}

interface MetricValueList {
  items?: Array<{
    describedObject?: { name?: string };
    timestamp?: string;
    windowSeconds?: number;
    value?: string;
  }>;
}

const milli = (q: string | undefined) => toUnits(q ?? "0", 1e-3);
const query = (s: LabelSelector | undefined) => (s ? `?labelSelector=${encodeURIComponent(selectorString(s))}` : "");

export class HostMetricsApi {
  private readonly kc: KubeConfig;
  private readonly timeoutMs: number;

  constructor(kc: KubeConfig, timeoutMs = 5000) {
    this.kc = kc;
    this.timeoutMs = timeoutMs;
  }

  /** Per-pod values of a Pods metric in a namespace, by pod name. */
  async podsMetric(namespace: string, metric: string, selector: LabelSelector | undefined): Promise<Map<string, TimedValue>> {
    const path = `/apis/custom.metrics.k8s.io/v1beta2/namespaces/${namespace}/pods/*/${encodeURIComponent(metric)}${query(selector)}`;
    const list = (await this.get(path, `pods metric ${metric}`)) as MetricValueList;
    return new Map(
      (list.items ?? []).map((i) => [
        i.describedObject?.name ?? "",
        { value: milli(i.value), timestampMs: Date.parse(i.timestamp ?? "") || 0, windowMs: (i.windowSeconds ?? 0) * 1000 },
      ]),
    );
  }

  /** An Object metric: one value for the described object (`resource` is its plural, with group). */
  async objectMetric(namespace: string, resource: string, name: string, metric: string, selector?: LabelSelector): Promise<number> {
    const path = `/apis/custom.metrics.k8s.io/v1beta2/namespaces/${namespace}/${resource}/${encodeURIComponent(name)}/${encodeURIComponent(metric)}${query(selector)}`;
    const list = (await this.get(path, `${resource}/${name} metric ${metric}`)) as MetricValueList;
    const item = list.items?.[0];
    if (!item) throw new Error(`no value of metric ${metric} for ${resource}/${name}`);
    return milli(item.value);
  }

  /** An External metric: the sum of the values the selector matches, as Kubernetes' HPA takes it. */
  async externalMetric(namespace: string, metric: string, selector: LabelSelector | undefined): Promise<number> {
    const path = `/apis/external.metrics.k8s.io/v1beta1/namespaces/${namespace}/${encodeURIComponent(metric)}${query(selector)}`;
    const list = (await this.get(path, `external metric ${metric}`)) as MetricValueList;
    if (!list.items?.length) throw new Error(`no values returned for external metric ${metric}`);
    return list.items.reduce((s, i) => s + milli(i.value), 0);
  }

  private get(path: string, what: string): Promise<unknown> {
    return kubeRequest(this.kc, { path, what, timeoutMs: this.timeoutMs });
  }
}
