/**
 * Object and External metrics from the host's aggregated metrics APIs
 * (`custom.metrics.k8s.io/v1beta2`, `external.metrics.k8s.io/v1beta1`), served in production by
 * Prometheus Adapter, KEDA or any adapter built on sigs.k8s.io/custom-metrics-apiserver: the
 * objects they describe (an Ingress, a queue) are the fleet's, on the host. Pods metrics are the
 * members' own (cluster-gateway reads them where the pods are). Values come back in milli-units;
 * an error names the metric and what the API said.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { customMetricPath, kubeRequest, readCustomMetric } from "@spillway/kit";
import { toUnits } from "@spillway/resources";
import type { LabelSelector } from "@spillway/rules";
import { selectorString } from "@spillway/rules";

export interface TimedValue {
  value: number;
  timestampMs: number;
  windowMs: number;
}

interface ExternalValueList {
  items?: Array<{ value?: string }>;
}

const milli = (q: string | undefined) => toUnits(q ?? "0", 1e-3);

export class HostMetricsApi {
  private readonly kc: KubeConfig;
  private readonly timeoutMs: number;

  constructor(kc: KubeConfig, timeoutMs = 5000) {
    this.kc = kc;
    this.timeoutMs = timeoutMs;
  }

  /** An Object metric: one value for the described object (`resource` is its plural, with group); the metric's selector picks the series. */
  async objectMetric(namespace: string, resource: string, name: string, metric: string, selector?: LabelSelector): Promise<number> {
    const path = customMetricPath(namespace, { resource, name }, metric, undefined, selector);
    const [item] = await readCustomMetric(this.kc, path, `${resource}/${name} metric ${metric}`, this.timeoutMs);
    if (!item) throw new Error(`no value of metric ${metric} for ${resource}/${name}`);
    return milli(item.value);
  }

  /** An External metric: the sum of the values the selector matches, as Kubernetes' HPA takes it. */
  async externalMetric(namespace: string, metric: string, selector: LabelSelector | undefined): Promise<number> {
    const q = selector ? `?labelSelector=${encodeURIComponent(selectorString(selector))}` : "";
    const path = `/apis/external.metrics.k8s.io/v1beta1/namespaces/${namespace}/${encodeURIComponent(metric)}${q}`;
    const list = (await kubeRequest(this.kc, { path, what: `external metric ${metric}`, timeoutMs: this.timeoutMs })) as ExternalValueList;
    if (!list.items?.length) throw new Error(`no values returned for external metric ${metric}`);
    return list.items.reduce((s, i) => s + milli(i.value), 0);
  }
}
