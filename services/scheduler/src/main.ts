#!/usr/bin/env node
/**
 * spillway-scheduler: IDC-first placement of federated workloads, spilling to cloud and draining
 * back. Wiring only: decisions in core/, reconcilers in controllers/.
 */
import {
  federatedDeploymentKind,
  federatedStatefulSetKind,
  memberClusterKind,
  placementKind,
  type KubeObject,
  type MemberCluster,
  type Placement,
} from "@spillway/api";
import { EventRecorder, onMemberChange, ResourceClient, type Informer } from "@spillway/kit";
import { runService, secondsFlag } from "@spillway/runtime";
import { errorFields } from "@spillway/telemetry";
import { affectedBy } from "./core/affected.ts";
import { defaultSchedulerConfig } from "./core/types.ts";
import { SchedulingService, type Workload, type WorkloadKind } from "./adapters/scheduling-service.ts";
import { serveScheduler } from "./adapters/simulate-server.ts";
import { SnapshotSource } from "./adapters/snapshot-source.ts";
import { placementController } from "./controllers/placement-controller.ts";

await runService(
  "scheduler",
  async (ctx) => {
    const { extra } = ctx.config;
    const config = {
      ...defaultSchedulerConfig,
      failoverGraceMs: secondsFlag(ctx.config, "failover-grace", { allowZero: true }),
      pendingThresholdMs: secondsFlag(ctx.config, "pending-threshold", { allowZero: true }),
      failbackHoldDownMs: secondsFlag(ctx.config, "failback-hold-down", { allowZero: true }),
    };
    const informerOf = <T extends KubeObject<unknown, unknown>>(client: ResourceClient<T>) =>
      ctx.informers.informerFor<T>({ path: client.path, list: () => client.list() });
    const clients = {
      members: new ResourceClient<MemberCluster>(ctx.kubeConfig, memberClusterKind),
      placements: new ResourceClient<Placement>(ctx.kubeConfig, placementKind),
      FederatedDeployment: new ResourceClient<Workload>(ctx.kubeConfig, federatedDeploymentKind),
      FederatedStatefulSet: new ResourceClient<Workload>(ctx.kubeConfig, federatedStatefulSetKind),
    };
    const members = informerOf(clients.members);
    const placements = informerOf(clients.placements);
    const workloads: Record<WorkloadKind, Informer<Workload>> = {
      FederatedDeployment: informerOf(clients.FederatedDeployment),
      FederatedStatefulSet: informerOf(clients.FederatedStatefulSet),
    };
    const snapshots = new SnapshotSource(extra["gateway-addr"]!.split(",").filter(Boolean), ctx.log);
    const service = new SchedulingService({ config, members, placements, workloads, snapshots });
    ctx.health.addReadinessCheck("snapshots", () => snapshots.isConnected || "not receiving snapshots from cluster-gateway");

    const events = new EventRecorder(ctx.kubeConfig, "scheduler", ctx.config.identity, (err) =>
      ctx.log.warn(errorFields(err), "recording event"),
    );
    const writes = ctx.telemetry.meter.createCounter("spillway_scheduler_placement_writes", {
      description: "Placement spec writes (decision changes)",
    });
    const decisions = ctx.telemetry.meter.createCounter("spillway_scheduler_decisions", { description: "Placement decisions computed" });
    const controllers = (["FederatedDeployment", "FederatedStatefulSet"] as const).map((kind) =>
      placementController({
        kind,
        workloads: workloads[kind],
        placements: clients.placements,
        service,
        bus: ctx.bus,
        events,
        writes,
        decisions,
        onError: (key, err, retryInMs) =>
          ctx.log.warn({ controller: `placement-${kind}`, name: key, retryInMs, ...errorFields(err) }, "reconcile failed"),
      }),
    );
    const byKind = Object.fromEntries(controllers.map((c, i) => [i === 0 ? "FederatedDeployment" : "FederatedStatefulSet", c]));
    const enqueue = (kind: string, namespace: string, name: string, afterMs = 0) => byKind[kind]?.enqueue(`${namespace}/${name}`, afterMs);
    const summaries = () => {
      // One ranking per distinct tierOrder, not one per workload.
      const ranks = new Map<string, (c: string) => number>();
      const rankFor = (w: Workload | undefined) => {
        const order = w?.spec.placement?.tierOrder;
        const key = (order ?? []).join(",");
        if (!ranks.has(key)) ranks.set(key, service.rankOf(order));
        return ranks.get(key)!;
      };
      return service.allPlacements().map((p) => ({
        key: `${p.spec.workloadRef.kind}|${p.metadata.namespace}|${p.spec.workloadRef.name}`,
        workload: `${p.metadata.namespace}/${p.spec.workloadRef.name}`,
        clusters: Object.fromEntries(p.spec.clusters.map((c) => [c.name, c.replicas])),
        unschedulable: p.spec.unschedulableReplicas,
        rankOf: rankFor(service.workload(p.spec.workloadRef.kind as WorkloadKind, p.metadata.namespace!, p.spec.workloadRef.name)),
      }));
    };
    const requeue = (keys: string[]) => {
      for (const k of keys) {
        const [kind, ns, name] = k.split("|");
        enqueue(kind!, ns!, name!, 100);
      }
    };
    // A snapshot or member change re-evaluates only the workloads it can affect.
    snapshots.onChange((cluster, delta) => {
      const keys = affectedBy(cluster, service.rankOf(), summaries(), delta);
      ctx.log.debug({ cluster, roomGrew: delta.roomGrew, changed: delta.workloads?.size, reevaluate: keys.length }, "snapshot changed");
      requeue(keys);
    });
    members.addHandler(onMemberChange((m) => requeue(affectedBy(m.metadata.name!, service.rankOf(), summaries()))));
    placements.addHandler((type, p) => {
      service.observed(p, type === "delete");
      enqueue(p.spec.workloadRef.kind, p.metadata.namespace!, p.spec.workloadRef.name);
    });

    let grpc: Awaited<ReturnType<typeof serveScheduler>> | undefined;
    return {
      controllers: controllers as never[],
      start: async () => {
        snapshots.start();
        grpc = await serveScheduler(service, `${ctx.config.grpcHost}:${ctx.config.grpcPort}`);
        ctx.log.info({ grpc: `${ctx.config.grpcHost}:${grpc.port}` }, "serving Scheduler.Simulate");
      },
      stop: async () => {
        snapshots.stop();
        grpc?.server.forceShutdown();
      },
    };
  },
  {
    "grpc-addr": { env: "SPILLWAY_GRPC_ADDR", def: "127.0.0.1:9091" },
    "gateway-addr": { env: "SPILLWAY_GATEWAY_ADDR", def: "127.0.0.1:9090" },
    "failover-grace": { env: "SPILLWAY_FAILOVER_GRACE_SECONDS", def: "60" },
    "pending-threshold": { env: "SPILLWAY_PENDING_THRESHOLD_SECONDS", def: "60" },
    "failback-hold-down": { env: "SPILLWAY_FAILBACK_HOLD_DOWN_SECONDS", def: "120" },
  },
);
