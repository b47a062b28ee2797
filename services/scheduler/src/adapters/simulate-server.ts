/**
 * gRPC `Scheduler.Simulate`: the placement the scheduler would make now, written nowhere. For an
 * existing workload (optionally at another replica count), for a whole workload given as JSON (a
 * manifest not applied yet), or for a hypothetical one described by its per-replica requests.
 * Served by every replica.
 */
import * as grpc from "@grpc/grpc-js";
import { addService, listen, RpcError, Scheduler, type SimulateRequest } from "@spillway/proto";
import type { FederatedDeployment, FederatedStatefulSet } from "@spillway/api";
import { vector } from "./cluster-views.ts";
import type { SchedulingService, WorkloadKind } from "./scheduling-service.ts";

const KINDS: Record<string, WorkloadKind> = {
  FederatedDeployment: "FederatedDeployment",
  FederatedStatefulSet: "FederatedStatefulSet",
  "": "FederatedDeployment",
};

export function simulateService(service: SchedulingService) {
  return {
    async simulate(req: SimulateRequest) {
      if (req.workloadJson) return simulateManifest(service, req.workloadJson, req.replicas);
      const ref = req.workload;
      const kind = KINDS[ref?.kind ?? ""];
      if (!kind)
        throw new RpcError(
          grpc.status.INVALID_ARGUMENT,
          `workload.kind must be FederatedDeployment or FederatedStatefulSet, got ${ref?.kind}`,
        );
      if (req.replicas < 0) throw new RpcError(grpc.status.INVALID_ARGUMENT, `replicas must not be negative, got ${req.replicas}`);
      let w = ref?.name ? service.workload(kind, ref.namespace || "default", ref.name) : undefined;
      if (!w) {
        if (!req.perReplica)
          throw new RpcError(
            grpc.status.NOT_FOUND,
            `${kind} ${ref?.namespace}/${ref?.name} not found; give per_replica to simulate a new workload`,
          );
        const requests = Object.fromEntries(Object.entries(vector(req.perReplica)).map(([k, v]) => [k, k === "cpu" ? `${v}m` : String(v)]));
        w = {
          apiVersion: "spillway.dev/v1alpha1",
          kind: "FederatedDeployment",
          metadata: { name: ref?.name || "simulated", namespace: ref?.namespace || "default" },
          spec: {
            replicas: req.replicas,
            selector: { matchLabels: { app: "simulated" } },
            template: { metadata: { labels: { app: "simulated" } }, spec: { containers: [{ name: "c", resources: { requests } }] } },
          },
        } satisfies FederatedDeployment;
      }
      const inputs = service.inputs(kind, w, Date.now(), req.replicas > 0 ? req.replicas : undefined);
      return answer(service.decide(inputs));
    },
  };
}

function answer(d: ReturnType<SchedulingService["decide"]>) {
  return {
    clusters: d.clusters.map((c) => ({ cluster: c.name, replicas: c.replicas, reason: c.reason })),
    unschedulableReplicas: d.unschedulable,
    message: d.message,
  };
}

/** A workload given whole (a manifest): checked just enough to simulate, refused naming what is wrong. */
function simulateManifest(service: SchedulingService, json: string, replicas: number) {
  let w: FederatedDeployment | FederatedStatefulSet;
  try {
    w = JSON.parse(json) as FederatedDeployment | FederatedStatefulSet;
  } catch (err) {
    throw new RpcError(grpc.status.INVALID_ARGUMENT, `workload_json is not JSON: ${(err as Error).message}`);
  }
  const kind = typeof w?.kind === "string" && w.kind !== "" ? KINDS[w.kind] : undefined;
  if (!kind)
    throw new RpcError(
      grpc.status.INVALID_ARGUMENT,
      `workload_json: kind must be FederatedDeployment or FederatedStatefulSet, got ${JSON.stringify(w?.kind)}`,
    );
  if (typeof w.spec?.template?.spec !== "object" || w.spec.template.spec === null)
    throw new RpcError(grpc.status.INVALID_ARGUMENT, `workload_json: ${kind} ${w.metadata?.name ?? ""} has no spec.template.spec`);
  if (replicas < 0) throw new RpcError(grpc.status.INVALID_ARGUMENT, `replicas must not be negative, got ${replicas}`);
  const workload = {
    ...w,
    metadata: { ...w.metadata, name: w.metadata?.name || "simulated", namespace: w.metadata?.namespace || "default" },
    spec: { ...w.spec, replicas: w.spec.replicas ?? 1 },
  };
  return answer(service.decide(service.inputs(kind, workload, Date.now(), replicas > 0 ? replicas : undefined)));
}

export async function serveScheduler(service: SchedulingService, addr: string): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server();
  addService(server, Scheduler, simulateService(service));
  const port = await listen(server, addr);
  return { server, port };
}
