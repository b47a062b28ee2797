/**
 * One live connection to a member cluster: node and pod informers feeding its SnapshotBuilder,
 * and a /readyz prober feeding its health state. Runs on every gateway replica (each serves reads);
 * only the leader writes what it learns. Every change is announced through `onChange`.
 */
import { request, type RequestOptions } from "node:https";
import { request as httpRequest } from "node:http";
import { VersionApi, type KubeConfig, type V1Node, type V1Pod } from "@kubernetes/client-node";
import { Informer, type InformerStats } from "@spillway/kit";
import { errorFields, type Logger } from "@spillway/telemetry";
import { classifyFailure } from "../core/failure-reason.ts";
import { defaultHealthConfig, initialHealth, observeProbe, type HealthConfig, type HealthState } from "../core/health.ts";
import { compactPod } from "../core/cached-pod.ts";
import { nodeInfo, podInfo } from "../core/object-info.ts";
import { SnapshotBuilder } from "../core/snapshot-builder.ts";
import type { FleetObjects } from "../core/fleet-objects.ts";
import { MemberFleetFeed, type WatchSource } from "./member-fleet-feed.ts";
import { memberList } from "./member-list.ts";
import { PodMetricsReader } from "./pod-metrics-reader.ts";

export interface ConnectionOptions {
  probeIntervalMs: number;
  probeTimeoutMs: number;
  health: HealthConfig;
  informerMaxBackoffMs: number;
  /** How often the member's PodMetrics are listed (0: never). */
  metricsIntervalMs: number;
  /** Told after each PodMetrics list which namespaces' usage changed. */
  onMetrics?: (cluster: string, namespaces: string[]) => void;
  /** The fleet API's objects, fed from this member when the fleet API is served. */
  fleet?: FleetObjects;
}

export const defaultConnectionOptions: ConnectionOptions = {
  probeIntervalMs: 2000,
  probeTimeoutMs: 2000,
  health: defaultHealthConfig,
  informerMaxBackoffMs: 5000,
  metricsIntervalMs: 15_000,
};

export class MemberConnection {
  readonly name: string;
  readonly fingerprint: string;
  readonly builder: SnapshotBuilder;
  readonly metrics: PodMetricsReader;
  private readonly fleetFeed: MemberFleetFeed | undefined;
  health: HealthState;
  kubernetesVersion: string | undefined;
  private readonly kc: KubeConfig;
  private readonly nodes: Informer<V1Node>;
  private readonly pods: Informer<V1Pod>;
  private readonly options: ConnectionOptions;
  private readonly log: Logger;
  private readonly onChange: (name: string) => void;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private nodesSynced = false;
  private podsSynced = false;

  constructor(
    name: string,
    kc: KubeConfig,
    fingerprint: string,
    log: Logger,
    onChange: (name: string) => void,
    options = defaultConnectionOptions,
  ) {
    this.name = name;
    this.kc = kc;
    this.fingerprint = fingerprint;
    this.log = log.child({ cluster: name });
    this.onChange = onChange;
    this.options = options;
    this.builder = new SnapshotBuilder(name);
    this.metrics = new PodMetricsReader(name, kc, options.metricsIntervalMs, this.log, options.onMetrics ?? (() => {}));
    this.health = initialHealth(Date.now());
    const onError = (what: string) => (err: unknown, retryInMs: number) =>
      this.log.warn({ informer: what, retryInMs, ...errorFields(err) }, "member watch failed; restarting");
    this.nodes = new Informer<V1Node>(kc, {
      path: "/api/v1/nodes",
      list: memberList<V1Node>(kc, name, "nodes", "/api/v1/nodes", this.log),
      maxBackoffMs: options.informerMaxBackoffMs,
      onError: onError("nodes"),
    });
    this.pods = new Informer<V1Pod>(kc, {
      path: "/api/v1/pods",
      list: memberList<V1Pod>(kc, name, "pods", "/api/v1/pods", this.log),
      maxBackoffMs: options.informerMaxBackoffMs,
      onError: onError("pods"),
      // After the fleet feed has stored each pod's JSON: the cache keeps what the gateway reads.
      compact: compactPod as (pod: V1Pod) => void,
    });
    this.fleetFeed = options.fleet
      ? new MemberFleetFeed(
          name,
          kc,
          options.fleet,
          new Map<string, WatchSource>([
            ["pods", this.pods as unknown as WatchSource],
            ["nodes", this.nodes as unknown as WatchSource],
          ]),
          this.log,
          options.informerMaxBackoffMs,
        )
      : undefined;
    this.nodes.addHandler((type, node) =>
      this.apply(() => (type === "delete" ? this.builder.deleteNode(node.metadata?.name ?? "") : this.builder.upsertNode(nodeInfo(node)))),
    );
    this.pods.addHandler((type, pod) =>
      this.apply(() => (type === "delete" ? this.builder.deletePod(podInfo(pod).uid) : this.builder.upsertPod(podInfo(pod)))),
    );
  }

  /** The member's pods in a namespace, as its pod watch holds them now. */
  podsIn(namespace: string): readonly V1Pod[] {
    return this.pods.list(namespace);
  }

  /** What each of this member's watches has been through (pods, nodes, the fleet API's kinds). */
  watchStats(): Array<{ resource: string; stats: InformerStats }> {
    return [
      { resource: "nodes", stats: this.nodes.stats() },
      { resource: "pods", stats: this.pods.stats() },
      ...(this.fleetFeed?.watchStats() ?? []),
    ];
  }

  /** The member's credentials, for writes the fleet API carries to it; never logged or sent. */
  get kubeConfig(): KubeConfig {
    return this.kc;
  }

  get server(): string {
    return this.kc.getCurrentCluster()?.server ?? "";
  }

  /** True once nodes and pods have both been listed completely. */
  get synced(): boolean {
    return this.nodesSynced && this.podsSynced;
  }

  start(): void {
    void this.nodes.start();
    void this.pods.start();
    void this.nodes.hasSynced().then(() => this.markSynced("nodes"));
    void this.pods.hasSynced().then(() => this.markSynced("pods"));
    this.fleetFeed?.start();
    void this.probeLoop();
    this.metrics.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.metrics.stop();
    await Promise.allSettled([this.nodes.stop(), this.pods.stop(), this.fleetFeed?.stop()]);
  }

  private markSynced(which: "nodes" | "pods"): void {
    if (which === "nodes") this.nodesSynced = true;
    else this.podsSynced = true;
    this.onChange(this.name);
  }

  private apply(change: () => void): void {
    const before = this.builder.revision;
    try {
      change();
    } catch (err) {
      // A malformed object from a member must not take the gateway down; it is left out.
      this.log.warn(errorFields(err), "ignoring a member object that cannot be read");
      return;
    }
    if (this.builder.revision !== before) this.onChange(this.name);
  }

  private async probeLoop(): Promise<void> {
    if (this.stopped) return;
    const before = this.health;
    let result;
    try {
      await this.probeReadyz();
      if (!this.kubernetesVersion || before.ready === false) {
        this.kubernetesVersion = (await this.kc.makeApiClient(VersionApi).getCode()).gitVersion;
      }
      result = { ok: true };
    } catch (err) {
      result = { ok: false, ...classifyFailure(err, this.server) };
    }
    if (this.stopped) return;
    this.health = observeProbe(this.health, result, Date.now(), this.options.health);
    if (this.health.ready !== before.ready || this.health.reason !== before.reason) {
      this.log.info({ ready: this.health.ready, reason: this.health.reason, message: this.health.message }, "member health changed");
      this.onChange(this.name);
    }
    this.timer = setTimeout(() => void this.probeLoop(), this.options.probeIntervalMs);
    this.timer.unref();
  }

  private async probeReadyz(): Promise<void> {
    const url = new URL("/readyz", this.server);
    const opts: RequestOptions = { method: "GET", timeout: this.options.probeTimeoutMs };
    await this.kc.applyToHTTPSOptions(opts);
    await new Promise<void>((resolve, reject) => {
      const req = (url.protocol === "https:" ? request : httpRequest)(url, opts, (res) => {
        res.resume();
        res.on("end", () =>
          res.statusCode === 200 ? resolve() : reject(Object.assign(new Error(`readyz ${res.statusCode}`), { code: res.statusCode })),
        );
      });
      req.on("timeout", () => req.destroy(new Error(`probe timeout after ${this.options.probeTimeoutMs}ms`)));
      req.on("error", reject);
      req.end();
    });
  }
}
