#!/usr/bin/env node
/**
 * spillway-cluster-gateway: member-cluster connections, health, capacity snapshots (gRPC
 * ClusterRegistry, JetStream KV, NATS events) and MemberCluster status. Wiring only.
 */
import { CoreV1Api, type V1Secret } from "@kubernetes/client-node";
import { memberClusterKind, type MemberCluster } from "@spillway/api";
import { topics } from "@spillway/bus";
import { EventRecorder, ResourceClient } from "@spillway/kit";
import { countFlag, registerObjectGauges, runService, secondsFlag } from "@spillway/runtime";
import { errorFields } from "@spillway/telemetry";
import { FleetKeyspace } from "./core/fleet-keyspace.ts";
import { FleetObjects } from "./core/fleet-objects.ts";
import { defaultFleetStorageOptions, FleetStorage, serveFleetStorage } from "./adapters/fleet-storage-server.ts";
import { defaultConnectionOptions } from "./adapters/member-connection.ts";
import { feedHostObjects } from "./adapters/host-fleet-feed.ts";
import { HostWriter } from "./adapters/host-writer.ts";
import { MemberCaller } from "./adapters/member-caller.ts";
import { Registry } from "./adapters/registry.ts";
import { serveRegistry } from "./adapters/registry-server.ts";
import { SnapshotPublisher } from "./adapters/snapshot-publisher.ts";
import { memberClusterController } from "./controllers/member-cluster-controller.ts";
import { memberGauges } from "./core/member-gauges.ts";
import { memberRanking } from "./core/member-ranking.ts";
import { memberWatchGauges } from "./core/member-watch-gauges.ts";

await runService(
  "cluster-gateway",
  async (ctx) => {
    const { extra } = ctx.config;
    // The fleet API's storage (ADR 0008): served only when a kube-apiserver is pointed at it.
    const fleetAddr = extra["fleet-storage-addr"] ?? "";
    let rank = (_cluster: string) => 0;
    let order = "";
    const keyspace = fleetAddr
      ? new FleetKeyspace({
          clockMicros: () => Math.floor((performance.timeOrigin + performance.now()) * 1000),
          windowSize: countFlag(ctx.config, "fleet-window"),
        })
      : undefined;
    const fleet = keyspace ? new FleetObjects(keyspace, (c) => rank(c)) : undefined;
    // Fleet-level objects (ADR 0009): the host's, served as their native kinds.
    if (fleet) feedHostObjects(ctx.kubeConfig, fleet, (o) => ctx.informers.informerFor(o), ctx.log.child({ component: "fleet-storage" }));
    const options = {
      ...defaultConnectionOptions,
      probeIntervalMs: secondsFlag(ctx.config, "probe-interval"),
      probeTimeoutMs: secondsFlag(ctx.config, "probe-timeout"),
      health: {
        failureThreshold: countFlag(ctx.config, "failure-threshold"),
        successThreshold: 1,
        holdDownMs: secondsFlag(ctx.config, "hold-down", { allowZero: true }),
      },
      metricsIntervalMs: secondsFlag(ctx.config, "metrics-interval", { allowZero: true }),
      ...(fleet ? { fleet } : {}),
      // Only the leader announces; every replica reads, so every replica serves FleetMetrics.
      onMetrics: (cluster: string, namespaces: string[]) => {
        if (!ctx.isLeader()) return;
        try {
          ctx.bus.publish(topics.memberMetrics, { cluster, namespaces }, cluster);
        } catch (err) {
          // NATS down: autoscalers still read by their sync period.
          ctx.log.warn({ cluster, ...errorFields(err) }, "cannot announce member metrics");
        }
      },
    };
    const members = new ResourceClient<MemberCluster>(ctx.kubeConfig, memberClusterKind);
    const informer = ctx.informers.forKind(members);
    registerObjectGauges(
      ctx.telemetry.meter,
      memberGauges(() => informer.list()),
    );
    const registry = new Registry(ctx.kubeConfig, informer, ctx.log, options);
    registerObjectGauges(
      ctx.telemetry.meter,
      memberWatchGauges(() =>
        registry.list().flatMap((e) => (e.connection?.watchStats() ?? []).map((w) => ({ cluster: e.member.metadata.name!, ...w }))),
      ),
    );
    // Same-name objects go to the best-ranked member. Objects can arrive before every member is
    // known: names follow whenever the ranking changes.
    registry.onChange(() => {
      const next = memberRanking(registry.list().map((e) => e.member));
      rank = next.rank;
      if (next.order !== order) {
        order = next.order;
        fleet?.rerank();
      }
    });

    const secretsNs = extra["secrets-namespace"]!;
    const core = ctx.kubeConfig.makeApiClient(CoreV1Api);
    ctx.informers
      .informerFor<V1Secret>({
        path: `/api/v1/namespaces/${secretsNs}/secrets`,
        list: () => core.listNamespacedSecret({ namespace: secretsNs }),
      })
      .addHandler((_t, s) => registry.secretChanged(s.metadata?.namespace ?? secretsNs, s.metadata?.name ?? ""));

    const publisher = new SnapshotPublisher(ctx.bus, registry, ctx.log);
    const statusWrites = ctx.telemetry.meter.createCounter("spillway_gateway_status_writes", {
      description: "MemberCluster status writes",
    });
    const controller = memberClusterController({
      client: members,
      cache: informer,
      registry,
      changes: registry,
      dropSnapshot: async (name) => publisher.changed(name),
      statusWritten: (cluster) => statusWrites.add(1, { cluster }),
      events: new EventRecorder(ctx.kubeConfig, "cluster-gateway", ctx.config.identity, (err) =>
        ctx.log.warn({ ...errorFields(err) }, "cannot record event"),
      ),
      log: ctx.log,
    });
    registry.onChange((name) => {
      if (ctx.isLeader()) publisher.changed(name);
    });

    let grpc: Awaited<ReturnType<typeof serveRegistry>> | undefined;
    let fleetStorage: Awaited<ReturnType<typeof serveFleetStorage>> | undefined;
    return {
      controllers: [controller],
      start: async () => {
        registry.start();
        grpc = await serveRegistry(registry, `${ctx.config.grpcHost}:${ctx.config.grpcPort}`, options.metricsIntervalMs);
        ctx.log.info({ grpc: `${ctx.config.grpcHost}:${grpc.port}` }, "serving ClusterRegistry");
        if (keyspace && fleet) {
          const writer = new MemberCaller((c) => registry.get(c)?.connection?.kubeConfig);
          const storage = new FleetStorage(
            keyspace,
            fleet,
            writer,
            ctx.log.child({ component: "fleet-storage" }),
            { ...defaultFleetStorageOptions, progressIntervalMs: secondsFlag(ctx.config, "fleet-progress-interval") },
            new HostWriter(ctx.kubeConfig),
          );
          fleetStorage = await serveFleetStorage(storage, fleetAddr);
          ctx.log.info({ addr: fleetAddr }, "serving the fleet API's storage (etcd v3 API)");
        }
      },
      onStartedLeading: () => publisher.start(),
      stop: async () => {
        publisher.stop();
        grpc?.server.forceShutdown();
        fleetStorage?.server.forceShutdown();
        await registry.stop();
      },
    };
  },
  {
    "secrets-namespace": { env: "SPILLWAY_SECRETS_NAMESPACE", def: "spillway-system" },
    "probe-interval": { env: "SPILLWAY_PROBE_INTERVAL_SECONDS", def: "2" },
    "probe-timeout": { env: "SPILLWAY_PROBE_TIMEOUT_SECONDS", def: "2" },
    "failure-threshold": { env: "SPILLWAY_FAILURE_THRESHOLD", def: "3" },
    "hold-down": { env: "SPILLWAY_HOLD_DOWN_SECONDS", def: "10" },
    // metrics-server resolves usage every 15 s by default; reading more often finds nothing new.
    "metrics-interval": { env: "SPILLWAY_METRICS_INTERVAL_SECONDS", def: "15" },
    // host:port of the etcd v3 API the fleet kube-apiserver stores member-resident resources in
    // (its --etcd-servers-overrides); empty: no fleet API. Loopback: it runs beside the gateway.
    "fleet-storage-addr": { env: "SPILLWAY_FLEET_STORAGE_ADDR", def: "" },
    // Changes kept for watch resume and paged lists; older resume points get 410 Gone and relist.
    "fleet-window": { env: "SPILLWAY_FLEET_WINDOW", def: "20000" },
    "fleet-progress-interval": { env: "SPILLWAY_FLEET_PROGRESS_INTERVAL_SECONDS", def: "5" },
  },
);
