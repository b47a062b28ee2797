/**
 * One member's PodMetrics, read with ONE list of `metrics.k8s.io/v1beta1` pods (all namespaces)
 * per interval, whatever the number of autoscalers that read them: member API calls per minute
 * depend on the interval alone. A failed list drops the member's usage (its pods then count as
 * missing metrics) rather than serving numbers of unknown age.
 */
import { CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import { errorFields, type Logger } from "@spillway/telemetry";
import { changedNamespaces, usageIndex, type PodMetricsObject, type PodUsage } from "../core/pod-samples.ts";

export interface MetricsState {
  ok: boolean;
  error: string;
  listedAtMs: number;
}

export class PodMetricsReader {
  usage: ReadonlyMap<string, PodUsage> | undefined;
  state: MetricsState = { ok: false, error: "not listed yet", listedAtMs: 0 };
  private readonly api: CustomObjectsApi;
  private readonly cluster: string;
  private readonly intervalMs: number;
  private readonly log: Logger;
  private readonly onRefreshed: (cluster: string, namespaces: string[]) => void;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  /** `onRefreshed` is called after each list with the namespaces whose usage changed. */
  constructor(
    cluster: string,
    kc: KubeConfig,
    intervalMs: number,
    log: Logger,
    onRefreshed: (cluster: string, namespaces: string[]) => void,
  ) {
    this.api = kc.makeApiClient(CustomObjectsApi);
    this.cluster = cluster;
    this.intervalMs = intervalMs;
    this.log = log;
    this.onRefreshed = onRefreshed;
  }

  start(): void {
    if (this.intervalMs > 0) void this.loop();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private async loop(): Promise<void> {
    if (this.stopped) return;
    await this.refresh();
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.loop(), this.intervalMs);
    this.timer.unref();
  }

  async refresh(): Promise<void> {
    const before = this.usage ?? new Map<string, PodUsage>();
    try {
      const list = (await this.api.listClusterCustomObject({ group: "metrics.k8s.io", version: "v1beta1", plural: "pods" })) as {
        items?: PodMetricsObject[];
      };
      this.usage = usageIndex(list.items ?? []);
      const wasOk = this.state.ok;
      this.state = { ok: true, error: "", listedAtMs: Date.now() };
      if (!wasOk) this.log.info({ cluster: this.cluster }, "member pod metrics readable");
    } catch (err) {
      if (this.state.ok || this.state.listedAtMs === 0)
        this.log.warn(
          { cluster: this.cluster, ...errorFields(err) },
          "member pod metrics cannot be listed; its pods count as missing metrics",
        );
      this.usage = undefined;
      this.state = { ok: false, error: (err as Error).message ?? String(err), listedAtMs: Date.now() };
    }
    const changed = changedNamespaces(before, this.usage ?? new Map());
    if (changed.length > 0) this.onRefreshed(this.cluster, changed);
  }
}
