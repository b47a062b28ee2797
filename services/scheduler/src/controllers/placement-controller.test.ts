/**
 * The placement controller through the kit's fakes: workloads, Placements and MemberClusters in
 * FakeObjects, snapshots in a map. IDC first, one write per decision change, the unschedulable
 * message and event, and the timers that bring a workload back.
 */
import { beforeEach, describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import type { FederatedDeployment, MemberCluster, Placement } from "@spillway/api";
import type { PlacementChanged } from "@spillway/bus";
import { FakeObjects } from "@spillway/kit/testing";
import { OwnerPodsSchema, type ClusterSnapshot } from "@spillway/proto";
import { member, snapshot } from "../adapters/testing/fixtures.ts";
import { defaultSchedulerConfig } from "../core/types.ts";
import { SchedulingService, type Workload } from "../adapters/scheduling-service.ts";
import { placementReconciler } from "./placement-controller.ts";

const ns = "shop";

const fd = (replicas: number, cpu = "4"): FederatedDeployment => ({
  apiVersion: "spillway.dev/v1alpha1",
  kind: "FederatedDeployment",
  metadata: { name: "web", namespace: ns, uid: "uid-web", generation: 1 },
  spec: {
    replicas,
    selector: { matchLabels: { app: "web" } },
    template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "x", resources: { requests: { cpu } } }] } },
  },
});

describe("placement controller", () => {
  let workloads: FakeObjects<Workload>;
  let placements: FakeObjects<Placement>;
  let published: PlacementChanged[];
  let events: string[];
  let counts: string[];
  let reconcile: (key: string) => Promise<{ requeueAfterMs?: number } | void>;
  let service: SchedulingService;
  let snapshots: Map<string, ClusterSnapshot>;

  beforeEach(() => {
    const members = new FakeObjects<MemberCluster>("MemberCluster", { namespaced: false });
    for (const m of [member("idc-1", "idc", 10), member("idc-2", "idc", 20), member("cloud-1", "cloud", 5)]) members.seed(m);
    workloads = new FakeObjects("FederatedDeployment");
    placements = new FakeObjects("Placement");
    snapshots = new Map([
      ["idc-1", snapshot("idc-1", 2)],
      ["idc-2", snapshot("idc-2", 2)],
      ["cloud-1", snapshot("cloud-1", 8)],
    ]);
    service = new SchedulingService({
      config: defaultSchedulerConfig,
      members,
      placements,
      workloads: { FederatedDeployment: workloads, FederatedStatefulSet: new FakeObjects<Workload>("FederatedStatefulSet") },
      snapshots,
    });
    published = [];
    events = [];
    counts = [];
    reconcile = placementReconciler({
      kind: "FederatedDeployment",
      workloads,
      workloadClient: workloads,
      placements,
      placementEvents: placements,
      service,
      publish: (c) => void published.push(c),
      events: { record: async (_w, type, reason, note) => void events.push(`${type} ${reason}: ${note}`) },
      count: (what) => void counts.push(what),
    });
  });

  const placed = () => {
    const p = placements.get("federateddeployment-web", ns);
    return p && Object.fromEntries(p.spec.clusters.map((c) => [c.name, c.replicas]));
  };

  it("fills IDC first (by priority), then spills to cloud, and owns the Placement through the workload", async () => {
    workloads.seed(fd(24)); // 4 CPU each: 8 fit per IDC member
    await reconcile(`${ns}/web`);
    expect(placed()).toEqual({ "idc-1": 8, "idc-2": 8, "cloud-1": 8 });
    const p = placements.get("federateddeployment-web", ns)!;
    expect(p.metadata.ownerReferences?.[0]).toMatchObject({ kind: "FederatedDeployment", name: "web", controller: true });
    expect(p.status?.conditions?.find((c) => c.type === "Scheduled")).toMatchObject({
      status: "True",
      message: "all 24 replica(s) placed",
    });
    expect(published).toEqual([{ namespace: ns, name: "web", kind: "FederatedDeployment", generation: 1 }]);
  });

  it("writes the Placement once per decision change, not on every pass", async () => {
    workloads.seed(fd(4));
    await reconcile(`${ns}/web`);
    // Let the service forget its own write, as once the informer has delivered it.
    service.observed(placements.get("federateddeployment-web", ns)!);
    await reconcile(`${ns}/web`);
    await reconcile(`${ns}/web`);
    expect(placements.writes().filter((w) => w.verb === "apply")).toHaveLength(1);
    expect(counts.filter((c) => c === "decision")).toHaveLength(3);
    expect(counts.filter((c) => c === "write")).toHaveLength(1);
  });

  it("says what is short when replicas fit nowhere, records a Warning event, and looks again in 5 s", async () => {
    workloads.seed(fd(2, "20")); // no node has 20 CPU
    const result = await reconcile(`${ns}/web`);
    const cond = placements.get("federateddeployment-web", ns)!.status?.conditions?.find((c) => c.type === "Scheduled");
    expect(cond?.status).toBe("False");
    expect(cond?.message).toMatch(/cpu/);
    expect(placements.get("federateddeployment-web", ns)!.spec.unschedulableReplicas).toBe(2);
    expect(events).toEqual([expect.stringMatching(/^Warning Unschedulable: .*cpu/)]);
    expect(result).toEqual({ requeueAfterMs: 5000 });
  });

  it("does nothing for a workload that is gone or being deleted", async () => {
    await reconcile(`${ns}/web`);
    workloads.seed({ ...fd(4), metadata: { ...fd(4).metadata, deletionTimestamp: "2026-01-01T00:00:00Z", finalizers: ["x"] } });
    await reconcile(`${ns}/web`);
    expect(placements.writes()).toEqual([]);
  });

  it("retries soon, forgetting its record, when the Placement changed under it", async () => {
    workloads.seed(fd(4));
    placements.failNext("apply", Object.assign(new Error("conflict"), { code: 409 }));
    expect(await reconcile(`${ns}/web`)).toEqual({ requeueAfterMs: 50 });
    expect(service.placement("FederatedDeployment", ns, "web")).toBeUndefined();
    await reconcile(`${ns}/web`);
    expect(placed()).toEqual({ "idc-1": 4 });
  });

  it("keeps a decision's room while its write is in flight, even when the informer then delivers the version it was decided from", async () => {
    workloads.seed(fd(4)); // 4 CPU each: 8 fit per IDC member
    await reconcile(`${ns}/web`);
    const decidedFrom = placements.get("federateddeployment-web", ns)!;
    service.observed(decidedFrom);
    // web grows to 8, filling idc-1. While its Placement write is in flight (the decision lock is
    // free by then), the informer delivers, late, the version the decision was made from — and
    // another workload is decided: it must see idc-1 full, not the 4 replicas web had.
    workloads.seed({ ...fd(8), metadata: { ...fd(8).metadata, generation: 2 } });
    workloads.seed({ ...fd(4), metadata: { ...fd(4).metadata, name: "api", uid: "uid-api" } });
    const apply = placements.apply.bind(placements);
    let apiDecided: Promise<unknown> | undefined;
    placements.apply = (body, fieldManager) => {
      if (body.metadata.name === "federateddeployment-web" && !apiDecided) {
        service.observed(decidedFrom);
        apiDecided = reconcile(`${ns}/api`);
      }
      return apply(body, fieldManager);
    };
    await reconcile(`${ns}/web`);
    await apiDecided;
    expect(placed()).toEqual({ "idc-1": 8 });
    const api = placements.get("federateddeployment-api", ns)!;
    expect(Object.fromEntries(api.spec.clusters.map((c) => [c.name, c.replicas]))).toEqual({ "idc-2": 4 });
  });

  it("publishes room for surge while the workload rolls out, and lends a stalled member's replicas", async () => {
    workloads.seed(fd(16)); // 8 per IDC member: both full
    await reconcile(`${ns}/web`);
    expect(placed()).toEqual({ "idc-1": 8, "idc-2": 8 });
    expect(placements.get("federateddeployment-web", ns)!.spec.rolloutRoom).toBeUndefined();
    // The snapshots show the 16 running; a new template (generation 2) not yet observed by fleet-root.
    for (const cluster of ["idc-1", "idc-2"]) {
      const snap = snapshots.get(cluster)!;
      snap.nodes.forEach((n) => (n.free!.cpuMillis = 0n));
      snap.owners = [create(OwnerPodsSchema, { namespace: ns, ownerKind: "ReplicaSet", ownerName: "web-5bb88554b8", bound: 8 })];
    }
    const rolling = {
      ...fd(16),
      metadata: { ...fd(16).metadata, generation: 2 },
      status: { observedGeneration: 1, replicas: 16, updatedReplicas: 16 },
    };
    workloads.seed(rolling);
    await reconcile(`${ns}/web`);
    const p = placements.get("federateddeployment-web", ns)!;
    expect(p.spec.workloadGeneration).toBe(2);
    expect(p.spec.rolloutRoom).toEqual([
      { name: "idc-1", pods: 0, short: "needs 4 cpu per replica; largest free node has 0" },
      { name: "idc-2", pods: 0, short: "needs 4 cpu per replica; largest free node has 0" },
      { name: "cloud-1", pods: 4 },
    ]);
    // Fleet-root reports idc-1 stalled with 4 replicas to place elsewhere: they go to cloud-1.
    service.observed(p);
    workloads.seed({
      ...rolling,
      status: {
        ...rolling.status,
        observedGeneration: 2,
        clusters: [
          { name: "idc-1", replicas: 8, updatedReplicas: 0 },
          { name: "idc-2", replicas: 8, updatedReplicas: 0 },
        ],
        stalledClusters: [{ name: "idc-1", replicas: 4, placedReplicas: 8 }],
      },
    });
    await reconcile(`${ns}/web`);
    expect(placed()).toEqual({ "idc-1": 4, "idc-2": 8, "cloud-1": 4 });
    // The rollout is over: room is no longer published.
    service.observed(placements.get("federateddeployment-web", ns)!);
    workloads.seed({
      ...rolling,
      status: {
        observedGeneration: 2,
        clusters: ["idc-1", "idc-2", "cloud-1"].map((name) => ({ name, replicas: placed()![name]!, updatedReplicas: placed()![name]! })),
      },
    });
    await reconcile(`${ns}/web`);
    expect(placements.get("federateddeployment-web", ns)!.spec.rolloutRoom).toBeUndefined();
  });
});
