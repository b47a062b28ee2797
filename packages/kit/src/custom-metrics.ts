/**
 * A read of the custom metrics API (`custom.metrics.k8s.io/v1beta2`), as Kubernetes' HPA makes
 * it: the path for a Pods metric by selector or one object's metric, with `labelSelector` (which
 * objects) and `metricLabelSelector` (which series), and the MetricValueList it answers, as plain
 * values (quantities left as the API wrote them).
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { selectorString, type LabelSelector } from "@spillway/rules";
import { kubeRequest } from "./kube-request.ts";

export interface MetricValue {
  /** The described object's name (a pod's, for a Pods metric). */
  name: string;
  /** A quantity, e.g. `1500m`. */
  value: string;
  timestampMs: number;
  windowMs: number;
}

interface MetricValueList {
  items?: Array<{ describedObject?: { name?: string }; timestamp?: string; windowSeconds?: number; value?: string }>;
}

/** `?labelSelector=…&metricLabelSelector=…`, each only when given. */
function query(selector: LabelSelector | undefined, metricSelector: LabelSelector | undefined): string {
  const params = new URLSearchParams();
  if (selector) params.set("labelSelector", selectorString(selector));
  if (metricSelector) params.set("metricLabelSelector", selectorString(metricSelector));
  const q = params.toString();
  return q ? `?${q}` : "";
}

/** The path of a custom metric: `pods/*` by selector for a Pods metric, or `<resource>/<name>` for one object. */
export function customMetricPath(
  namespace: string,
  object: { resource: string; name: string },
  metric: string,
  selector?: LabelSelector,
  metricSelector?: LabelSelector,
): string {
  const name = object.name === "*" ? "*" : encodeURIComponent(object.name);
  return `/apis/custom.metrics.k8s.io/v1beta2/namespaces/${namespace}/${object.resource}/${name}/${encodeURIComponent(metric)}${query(selector, metricSelector)}`;
}

/** Reads a MetricValueList; an error says what was read and what the API said. */
export async function readCustomMetric(kc: KubeConfig, path: string, what: string, timeoutMs: number): Promise<MetricValue[]> {
  const list = (await kubeRequest(kc, { path, what, timeoutMs })) as MetricValueList;
  return (list.items ?? []).map((i) => ({
    name: i.describedObject?.name ?? "",
    value: i.value ?? "0",
    timestampMs: Date.parse(i.timestamp ?? "") || 0,
    windowMs: (i.windowSeconds ?? 0) * 1000,
  }));
}
