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
import { MemberClients, onMemberChange, ResourceClient } from "@spillway/kit";
import { runService } from "@spillway/runtime";
import { MemberDeployments } from "./adapters/member-deployments.ts";
import { federatedDeploymentController } from "./controllers/federated-deployment-controller.ts";

await runService("fleet-root", async (ctx) => {
  const fds = new ResourceClient<FederatedDeployment>(ctx.kubeConfig, federatedDeploymentKind);
  const placementsClient = new ResourceClient<Placement>(ctx.kubeConfig, placementKind);
  const membersClient = new ResourceClient<MemberCluster>(ctx.kubeConfig, memberClusterKind);
  const informer = ctx.informers.informerFor<FederatedDeployment>({ path: fds.path, list: () => fds.list() });
  const placements = ctx.informers.informerFor<Placement>({ path: placementsClient.path, list: () => placementsClient.list() });
  const members = ctx.informers.informerFor<MemberCluster>({ path: membersClient.path, list: () => membersClient.list() });
  // eslint-disable-next-line prefer-const -- the controller and the member watches refer to each other
  let controller: ReturnType<typeof federatedDeploymentController>;
  const deployments = new MemberDeployments(ctx.log, (ns, name) => controller?.enqueue(`${ns}/${name}`, 50));
  controller = federatedDeploymentController({
    client: fds,
    informer,
    placements,
    members,
    memberClients: new MemberClients(ctx.kubeConfig),
    deployments,
    bus: ctx.bus,
    log: ctx.log,
  });
  placements.addHandler((_t, p) => {
    if (p.spec.workloadRef.kind === "FederatedDeployment") controller.enqueue(`${p.metadata.namespace}/${p.spec.workloadRef.name}`);
  });
  members.addHandler(
    onMemberChange(() => {
      for (const fd of informer.list()) controller.enqueue(`${fd.metadata.namespace}/${fd.metadata.name}`, 200);
    }),
  );
  return { controllers: [controller as never], stop: () => deployments.stop() };
});
