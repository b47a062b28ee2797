#!/usr/bin/env node
/**
 * spillway-federated-hpa: one autoscaler per federated workload over the whole fleet, with
 * `autoscaling/v2` semantics, capped by what the fleet can place. Wiring only: the algorithm lives
 * in core/, the reconciler in controllers/.
 */
import {
  federatedDeploymentKind,
  federatedHPAKind,
  federatedStatefulSetKind,
  type FederatedDeployment,
  type FederatedHPA,
  type FederatedStatefulSet,
} from "@spillway/api";
import { topics } from "@spillway/bus";
import { EventRecorder, ResourceClient } from "@spillway/kit";
import { countFlag, registerObjectGauges, runService, secondsFlag } from "@spillway/runtime";
import { errorFields } from "@spillway/telemetry";
import { FleetCapacity } from "./adapters/fleet-capacity.ts";
import { autoscalerGauges } from "./core/autoscaler-gauges.ts";
import { FleetMetricsClient } from "./adapters/fleet-metrics-client.ts";
import { HostMetricsApi } from "./adapters/host-metrics-api.ts";
import { ApiScaleWriter } from "./adapters/target-scale.ts";
import { federatedHPAController } from "./controllers/federated-hpa-controller.ts";

const addrs = (v: string | undefined) => (v ?? "").split(",").filter(Boolean);

await runService(
  "federated-hpa",
  async (ctx) => {
    const { extra } = ctx.config;
    const client = new ResourceClient<FederatedHPA>(ctx.kubeConfig, federatedHPAKind);
    const fleet = new FleetMetricsClient(addrs(extra["gateway-addr"]));
    const schedulers = addrs(extra["scheduler-addr"]);
    const capacity = schedulers.length > 0 ? new FleetCapacity(schedulers) : undefined;
    const events = new EventRecorder(ctx.kubeConfig, "federated-hpa", ctx.config.identity, (err) =>
      ctx.log.warn(errorFields(err), "cannot record event"),
    );
    const cache = ctx.informers.forKind(client);
    registerObjectGauges(
      ctx.telemetry.meter,
      autoscalerGauges(() => cache.list()),
    );
    const controller = federatedHPAController({
      client,
      cache,
      targets: {
        FederatedDeployment: ctx.informers.forKind(new ResourceClient<FederatedDeployment>(ctx.kubeConfig, federatedDeploymentKind)),
        FederatedStatefulSet: ctx.informers.forKind(new ResourceClient<FederatedStatefulSet>(ctx.kubeConfig, federatedStatefulSetKind)),
      },
      scale: new ApiScaleWriter(ctx.kubeConfig),
      fleetPods: (ns, selector) => fleet.pods(ns, selector),
      fleetPodsMetric: (ns, selector, metric, metricSelector) => fleet.podsMetric(ns, selector, metric, metricSelector),
      hostMetrics: new HostMetricsApi(ctx.kubeConfig),
      ...(capacity ? { capacity: (kind, ns, name, n) => capacity.placeable(kind, ns, name, n) } : {}),
      events,
      metricsChanged: ctx.bus.events(topics.memberMetrics, (err, subject) =>
        ctx.log.warn({ subject, ...errorFields(err) }, "cannot read a member-metrics announcement"),
      ),
      syncPeriodMs: secondsFlag(ctx.config, "sync-period"),
      concurrentSyncs: countFlag(ctx.config, "concurrent-syncs"),
      downscaleStabilizationSeconds: secondsFlag(ctx.config, "downscale-stabilization", { allowZero: true }) / 1000,
      log: ctx.log,
    });
    return {
      controllers: [controller],
      stop: async () => {
        fleet.close();
        capacity?.close();
      },
    };
  },
  {
    "gateway-addr": { env: "SPILLWAY_GATEWAY_ADDR", def: "127.0.0.1:9090" },
    // Empty: no capacity check (scale-ups are not capped by what the fleet can place).
    "scheduler-addr": { env: "SPILLWAY_SCHEDULER_ADDR", def: "127.0.0.1:9091" },
    // Kubernetes' --horizontal-pod-autoscaler-sync-period and -downscale-stabilization.
    "sync-period": { env: "SPILLWAY_HPA_SYNC_PERIOD_SECONDS", def: "15" },
    "downscale-stabilization": { env: "SPILLWAY_HPA_DOWNSCALE_STABILIZATION_SECONDS", def: "300" },
    // Kubernetes' --concurrent-horizontal-pod-autoscaler-syncs: autoscalers synced at once. Each
    // sync mostly waits (the gateway's reads, the host's writes); too few and autoscalers fall
    // behind their sync period (bench:real measures syncs per minute against the period's).
    "concurrent-syncs": { env: "SPILLWAY_HPA_CONCURRENT_SYNCS", def: "5" },
  },
);
