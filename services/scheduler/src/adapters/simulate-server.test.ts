/**
 * Scheduler.Simulate's handler over a SchedulingService of fakes: a whole manifest is simulated as
 * written (requests, replicas, placement policy) without existing anywhere; a bad one is refused
 * naming what is wrong.
 */
import { describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import type { FederatedDeployment, MemberCluster, Placement } from "@spillway/api";
import { FakeObjects } from "@spillway/kit/testing";
import { SimulateRequestSchema } from "@spillway/proto";
import { member, snapshot } from "./testing/fixtures.ts";
import { defaultSchedulerConfig } from "../core/types.ts";
import { SchedulingService, type Workload } from "./scheduling-service.ts";
import { simulateService } from "./simulate-server.ts";

function handler() {
  const members = new FakeObjects<MemberCluster>("MemberCluster", { namespaced: false });
  for (const m of [member("idc-1", "idc", 10), member("idc-2", "idc", 20), member("cloud-1", "cloud", 5)]) members.seed(m);
  const service = new SchedulingService({
    config: defaultSchedulerConfig,
    members,
    placements: new FakeObjects<Placement>("Placement"),
    workloads: {
      FederatedDeployment: new FakeObjects<Workload>("FederatedDeployment"),
      FederatedStatefulSet: new FakeObjects<Workload>("FederatedStatefulSet"),
    },
    snapshots: new Map([
      ["idc-1", snapshot("idc-1", 1)],
      ["idc-2", snapshot("idc-2", 1)],
      ["cloud-1", snapshot("cloud-1", 4)],
    ]),
  });
  return simulateService(service);
}

const manifest = (spec: Partial<FederatedDeployment["spec"]> = {}): FederatedDeployment => ({
  apiVersion: "spillway.dev/v1alpha1",
  kind: "FederatedDeployment",
  metadata: { name: "new-web", namespace: "shop" },
  spec: {
    replicas: 10,
    selector: { matchLabels: { app: "web" } },
    template: {
      metadata: { labels: { app: "web" } },
      spec: { containers: [{ name: "c", image: "x", resources: { requests: { cpu: "4" } } }] },
    },
    ...spec,
  },
});

const simulate = (w: unknown, replicas = 0) =>
  handler().simulate(create(SimulateRequestSchema, { workloadJson: typeof w === "string" ? w : JSON.stringify(w), replicas }));

describe("Simulate with a whole manifest", () => {
  it("places the manifest's replicas by its requests, IDC first, the overflow in cloud", async () => {
    const r = await simulate(manifest());
    expect(r.clusters.map((c) => [c.cluster, c.replicas])).toEqual([
      ["idc-1", 4],
      ["idc-2", 4],
      ["cloud-1", 2],
    ]);
    expect(r.unschedulableReplicas).toBe(0);
  });

  it("honours the manifest's placement policy and a replica override", async () => {
    const r = await simulate(manifest({ placement: { clusterNames: ["idc-1", "idc-2"] } }), 12);
    expect(r.clusters.map((c) => [c.cluster, c.replicas])).toEqual([
      ["idc-1", 4],
      ["idc-2", 4],
    ]);
    expect(r.unschedulableReplicas).toBe(4);
    expect(r.message).not.toBe("");
  });

  it.each([
    ["{not json", /workload_json is not JSON/],
    [{ kind: "Deployment", spec: {} }, /kind must be FederatedDeployment or FederatedStatefulSet, got "Deployment"/],
    [{ kind: "FederatedDeployment", metadata: { name: "x" }, spec: { replicas: 1 } }, /FederatedDeployment x has no spec.template.spec/],
  ])("refuses %j naming what is wrong", async (w, message) => {
    await expect(simulate(w)).rejects.toThrow(message);
  });
});
