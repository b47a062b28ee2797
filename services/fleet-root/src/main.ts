#!/usr/bin/env node
/**
 * spillway-fleet-root: propagation of FederatedDeployments to their members and the federated
 * rollout with one fleet-wide surge/unavailable budget. Wiring only.
 */
import {
  federatedDeploymentKind,
  federatedStatefulSetKind,
  type FederatedStatefulSet,
  memberClusterKind,
  placementKind,
  type FederatedDeployment,
  type MemberCluster,
  type Placement,
} from "@spillway/api";
import { topics } from "@spillway/bus";
import { EventRecorder, MemberClients, ResourceClient } from "@spillway/kit";
import { registerObjectGauges, runService } from "@spillway/runtime";
import { errorFields } from "@spillway/telemetry";
import { ApiMemberWriter, DEPENDENCY_COPIES, dependencyLook } from "@spillway/member-workload";
import { hostSources, memberCopies } from "./adapters/dependency-objects.ts";
import { dependencyController } from "./controllers/dependency-controller.ts";
import { MANAGED, memberDeploymentInformers } from "./adapters/member-deployments.ts";
import { federatedDeploymentController } from "./controllers/federated-deployment-controller.ts";
import { rolloutGauges } from "./core/rollout-gauges.ts";

await runService("fleet-root", async (ctx) => {
  const client = new ResourceClient<FederatedDeployment>(ctx.kubeConfig, federatedDeploymentKind);
  const memberClients = new MemberClients(ctx.kubeConfig);
  const deployments = memberDeploymentInformers(memberClients, (cluster, err, retryInMs) =>
    ctx.log.warn({ cluster, retryInMs, ...errorFields(err) }, "member Deployment watch failed; restarting"),
  );
  const memberCalls = ctx.telemetry.meter.createCounter("spillway_fleet_root_member_calls", {
    description: "Calls fleet-root made to member API servers for member Deployments, by verb",
  });
  const placements = ctx.informers.forKind(new ResourceClient<Placement>(ctx.kubeConfig, placementKind));
  const members = ctx.informers.forKind(new ResourceClient<MemberCluster>(ctx.kubeConfig, memberClusterKind));
  const cache = ctx.informers.forKind(client);
  registerObjectGauges(
    ctx.telemetry.meter,
    rolloutGauges(() => cache.list()),
  );
  // Dependencies follow workloads of both kinds: one follower for the fleet, here, beside
  // propagation; its caches also answer the gate's look before a member Deployment is written.
  const sources = hostSources(ctx.kubeConfig, (o) => ctx.informers.informerFor(o));
  const copies = memberCopies(memberClients, (cluster, err, retryInMs) =>
    ctx.log.warn({ cluster, retryInMs, ...errorFields(err) }, "member dependency watch failed; restarting"),
  );
  const events = new EventRecorder(ctx.kubeConfig, "fleet-root", ctx.config.identity, (err) =>
    ctx.log.warn({ ...errorFields(err) }, "cannot record event"),
  );
  const controller = federatedDeploymentController({
    client,
    events,
    cache,
    placements,
    members,
    deployments,
    writer: new ApiMemberWriter(memberClients, MANAGED),
    dependencies: dependencyLook(memberClients, ctx.kubeConfig, { sources, copies }),
    publish: (p) => ctx.bus.publish(topics.rollout, p, p.namespace, p.name),
    countMemberCall: (verb) => memberCalls.add(1, { verb }),
    log: ctx.log,
  });
  const follower = dependencyController({
    deployments: cache,
    statefulSets: ctx.informers.forKind(new ResourceClient<FederatedStatefulSet>(ctx.kubeConfig, federatedStatefulSetKind)),
    placements,
    members,
    sources,
    copies,
    writer: new ApiMemberWriter(memberClients, DEPENDENCY_COPIES),
    countMemberCall: (verb) => memberCalls.add(1, { verb, what: "dependency" }),
    log: ctx.log.child({ controller: "dependency-follower" }),
  });
  return {
    controllers: [controller, follower],
    stop: async () => {
      await Promise.all([deployments.stop(), ...Object.values(copies).map((c) => c.stop())]);
    },
  };
});
