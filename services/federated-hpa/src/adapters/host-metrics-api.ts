/**
 * Pods, Object and External metrics from the host's aggregated metrics APIs
 * (`custom.metrics.k8s.io/v1beta2`, `external.metrics.k8s.io/v1beta1`), served in production by
 * Prometheus Adapter, KEDA or any adapter built on sigs.k8s.io/custom-metrics-apiserver. Values
 * come back in milli-units; an error names the metric and what the API said.
 */
import { request } from "node:https";
import { request as httpRequest, type RequestOptions } from "node:http";
import type { KubeConfig } from "@kubernetes/client-node";
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

  private async get(path: string, what: string): Promise<unknown> {
    const cluster = this.kc.getCurrentCluster();
    if (!cluster) throw new Error("the host kubeconfig names no cluster");
    const url = new URL(path, cluster.server);
    const opts: RequestOptions = { method: "GET", timeout: this.timeoutMs, headers: { Accept: "application/json" } };
    await this.kc.applyToHTTPSOptions(opts);
    return new Promise((resolve, reject) => {
      const req = (url.protocol === "https:" ? request : httpRequest)(url, opts, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const body = Buffer.concat(chunks).toString("utf8");
          if (res.statusCode !== 200) {
            let message = body.slice(0, 300);
            try {
              message = (JSON.parse(body) as { message?: string }).message ?? message;
            } catch {
              // not a Status object; the raw text says it
            }
            return reject(new Error(`unable to get ${what}: ${res.statusCode} ${message}`));
          }
          try {
            resolve(JSON.parse(body));
          } catch (err) {
            reject(new Error(`unable to read ${what}: ${(err as Error).message}`));
          }
        });
      });
      req.on("timeout", () => req.destroy(new Error(`unable to get ${what}: no answer in ${this.timeoutMs} ms`)));
      req.on("error", reject);
      req.end();
    });
  }
}
