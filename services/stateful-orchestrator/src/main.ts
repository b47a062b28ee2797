#!/usr/bin/env node
/**
 * spillway-stateful-orchestrator: FederatedStatefulSets split into ordinal ranges per member
 * cluster, one pod per ordinal fleet-wide. Wiring only: the decisions live in core/, the
 * reconciler in controllers/.
 */
import {
  federatedStatefulSetKind,
  memberClusterKind,
  placementKind,
  type FederatedStatefulSet,
  type MemberCluster,
  type Placement,
} from "@spillway/api";
import { topics } from "@spillway/bus";
import { EventRecorder, MemberClients, ResourceClient } from "@spillway/kit";
import { runService } from "@spillway/runtime";
import { errorFields } from "@spillway/telemetry";
import { ApiMemberWriter, dependencyLook } from "@spillway/member-workload";
import { MANAGED, memberClaimInformers, memberPodInformers, memberStatefulSetInformers } from "./adapters/member-statefulsets.ts";
import { federatedStatefulSetController } from "./controllers/federated-statefulset-controller.ts";

await runService("stateful-orchestrator", async (ctx) => {
  const client = new ResourceClient<FederatedStatefulSet>(ctx.kubeConfig, federatedStatefulSetKind);
  const memberClients = new MemberClients(ctx.kubeConfig);
  const onError = (what: string) => (cluster: string, err: unknown, retryInMs: number) =>
    ctx.log.warn({ cluster, retryInMs, ...errorFields(err) }, `member ${what} watch failed; restarting`);
  const statefulSets = memberStatefulSetInformers(memberClients, onError("StatefulSet"));
  const pods = memberPodInformers(memberClients, onError("Pod"));
  const claims = memberClaimInformers(memberClients, onError("PersistentVolumeClaim"));
  const events = new EventRecorder(ctx.kubeConfig, "stateful-orchestrator", ctx.config.identity, (err) =>
    ctx.log.warn({ ...errorFields(err) }, "cannot record event"),
  );
  const controller = federatedStatefulSetController({
    client,
    cache: ctx.informers.forKind(client),
    placements: ctx.informers.forKind(new ResourceClient<Placement>(ctx.kubeConfig, placementKind)),
    members: ctx.informers.forKind(new ResourceClient<MemberCluster>(ctx.kubeConfig, memberClusterKind)),
    statefulSets,
    pods,
    claims,
    writer: new ApiMemberWriter(memberClients, MANAGED),
    dependencies: dependencyLook(memberClients, ctx.kubeConfig),
    publish: (p) => ctx.bus.publish(topics.rollout, p, p.namespace, p.name),
    events,
    log: ctx.log,
  });
  return {
    controllers: [controller],
    stop: async () => {
      await Promise.all([statefulSets.stop(), pods.stop(), claims.stop()]);
    },
  };
});
