#!/usr/bin/env node
/**
 * spillway-fleet-root: propagation of FederatedDeployments to their members and the federated
 * rollout with one fleet-wide surge/unavailable budget. Wiring only.
 */
import {
  federatedDeploymentKind,
  memberClusterKind,
  placementKind,
  type FederatedDeployment,
  type MemberCluster,
  type Placement,
} from "@spillway/api";
import { topics } from "@spillway/bus";
import { MemberClients, ResourceClient } from "@spillway/kit";
import { runService } from "@spillway/runtime";
import { errorFields } from "@spillway/telemetry";
import { ApiMemberWriter } from "@spillway/member-workload";
import { MANAGED, memberDeploymentInformers } from "./adapters/member-deployments.ts";
import { federatedDeploymentController } from "./controllers/federated-deployment-controller.ts";

await runService("fleet-root", async (ctx) => {
  const client = new ResourceClient<FederatedDeployment>(ctx.kubeConfig, federatedDeploymentKind);
  const memberClients = new MemberClients(ctx.kubeConfig);
  const deployments = memberDeploymentInformers(memberClients, (cluster, err, retryInMs) =>
    ctx.log.warn({ cluster, retryInMs, ...errorFields(err) }, "member Deployment watch failed; restarting"),
  );
  const memberCalls = ctx.telemetry.meter.createCounter("spillway_fleet_root_member_calls", {
    description: "Calls fleet-root made to member API servers for member Deployments, by verb",
  });
  const controller = federatedDeploymentController({
    client,
    cache: ctx.informers.forKind(client),
    placements: ctx.informers.forKind(new ResourceClient<Placement>(ctx.kubeConfig, placementKind)),
    members: ctx.informers.forKind(new ResourceClient<MemberCluster>(ctx.kubeConfig, memberClusterKind)),
    deployments,
    writer: new ApiMemberWriter(memberClients, MANAGED),
    publish: (p) => ctx.bus.publish(topics.rollout, p, p.namespace, p.name),
    countMemberCall: (verb) => memberCalls.add(1, { verb }),
    log: ctx.log,
  });
  return { controllers: [controller], stop: () => deployments.stop() };
});
