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
  type MemberCluster,
  type Placement,
} from "@spillway/api";
import { topics } from "@spillway/bus";
import { EventRecorder, ResourceClient } from "@spillway/kit";
import { registerObjectGauges, runService, secondsFlag } from "@spillway/runtime";
import { errorFields } from "@spillway/telemetry";
import { defaultSchedulerConfig } from "./core/types.ts";
import { AffectedWorkloads } from "./adapters/affected-workloads.ts";
import { SchedulingService, type Workload, type WorkloadKind } from "./adapters/scheduling-service.ts";
import { serveScheduler } from "./adapters/simulate-server.ts";
import { SnapshotSource } from "./adapters/snapshot-source.ts";
import { placementController } from "./controllers/placement-controller.ts";
import { placementGauges } from "./core/placement-gauges.ts";

const KINDS = ["FederatedDeployment", "FederatedStatefulSet"] as const;

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
    const placementClient = new ResourceClient<Placement>(ctx.kubeConfig, placementKind);
    const workloadClients: Record<WorkloadKind, ResourceClient<Workload>> = {
      FederatedDeployment: new ResourceClient<Workload>(ctx.kubeConfig, federatedDeploymentKind),
      FederatedStatefulSet: new ResourceClient<Workload>(ctx.kubeConfig, federatedStatefulSetKind),
    };
    const members = ctx.informers.forKind(new ResourceClient<MemberCluster>(ctx.kubeConfig, memberClusterKind));
    const placements = ctx.informers.forKind(placementClient);
    registerObjectGauges(
      ctx.telemetry.meter,
      placementGauges(() => placements.list()),
    );
    const workloads = {
      FederatedDeployment: ctx.informers.forKind(workloadClients.FederatedDeployment),
      FederatedStatefulSet: ctx.informers.forKind(workloadClients.FederatedStatefulSet),
    };
    const snapshots = new SnapshotSource(extra["gateway-addr"]!.split(",").filter(Boolean), ctx.log);
    const service = new SchedulingService({ config, members, placements, workloads, snapshots });
    ctx.health.addReadinessCheck("snapshots", () => snapshots.isConnected || "not receiving snapshots from cluster-gateway");

    const events = new EventRecorder(ctx.kubeConfig, "scheduler", ctx.config.identity, (err) =>
      ctx.log.warn(errorFields(err), "recording event"),
    );
    const counters = {
      write: ctx.telemetry.meter.createCounter("spillway_scheduler_placement_writes", {
        description: "Placement spec writes (decision changes)",
      }),
      decision: ctx.telemetry.meter.createCounter("spillway_scheduler_decisions", { description: "Placement decisions computed" }),
    };

    const affected = new AffectedWorkloads(service, snapshots, members);
    const controllers = KINDS.map((kind) =>
      placementController(
        {
          kind,
          workloads: workloads[kind],
          workloadClient: workloadClients[kind],
          placements: placementClient,
          placementEvents: placements,
          service,
          publish: (c) => ctx.bus.publish(topics.placement, c, c.namespace, c.name),
          events,
          count: (what, k) => counters[what].add(1, { kind: k }),
          log: ctx.log,
        },
        affected.watches(kind),
      ),
    );

    let grpc: Awaited<ReturnType<typeof serveScheduler>> | undefined;
    return {
      controllers,
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
