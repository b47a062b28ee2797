/**
 * Fleet-root's controller through the kit's in-memory fakes: host objects in FakeObjects, each
 * member's Deployments in a FakeMemberObjects store that plays the member's API server. The
 * member Deployment controllers are played by `settle`, which reports a member's Deployment as
 * fully rolled out.
 */
import { beforeEach, describe, expect, it, jest } from "@jest/globals";
import type { FederatedDeployment, KubeObject, MemberCluster, Placement } from "@spillway/api";
import type { RolloutProgress } from "@spillway/bus";
import { FakeMemberObjects, FakeObjects, memberFixture } from "@spillway/kit/testing";
import { createLogger } from "@spillway/telemetry";
import { FakeMemberWriter } from "@spillway/member-workload/testing";
import { MANAGED } from "../adapters/member-deployments.ts";
import type { LiveDeployment } from "../core/live-deployment.ts";
import { federatedDeploymentController, federatedDeploymentReconciler, FINALIZER } from "./federated-deployment-controller.ts";

type MemberDeployment = KubeObject<NonNullable<LiveDeployment["spec"]> & Record<string, unknown>, NonNullable<LiveDeployment["status"]>>;
const CLUSTERS = ["idc-1", "idc-2", "cloud-1"];
const ns = "shop";

const member = memberFixture;

const fd = (image = "app:1", strategy = { maxSurge: 1 as number | string, maxUnavailable: 0 as number | string }): FederatedDeployment => ({
  apiVersion: "spillway.dev/v1alpha1",
  kind: "FederatedDeployment",
  metadata: { name: "web", namespace: ns },
  spec: {
    replicas: 12,
    selector: { matchLabels: { app: "web" } },
    template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "app", image }] } },
    strategy: { type: "RollingUpdate", rollingUpdate: strategy },
  },
});

/** The scheduler's Placement; while the workload rolls out it publishes room for surge for that generation. */
const placement = (replicas: Record<string, number>, rolling?: { generation: number; room: Record<string, number> }): Placement => ({
  apiVersion: "spillway.dev/v1alpha1",
  kind: "Placement",
  metadata: { name: "federateddeployment-web", namespace: ns },
  spec: {
    workloadRef: { apiVersion: "spillway.dev/v1alpha1", kind: "FederatedDeployment", name: "web" },
    workloadGeneration: rolling?.generation ?? 1,
    clusters: Object.entries(replicas).map(([name, r]) => ({ name, replicas: r, reason: "fits" })),
    unschedulableReplicas: 0,
    ...(rolling ? { rolloutRoom: Object.entries(rolling.room).map(([name, pods]) => ({ name, pods })) } : {}),
  },
});

/** Resolves once `predicate` holds, looking after each turn of the event loop (which fake timers leave real). */
async function until(predicate: () => boolean, what: string): Promise<void> {
  for (let turns = 0; !predicate(); turns++) {
    if (turns > 100_000) throw new Error(`${what}: not after ${turns} turns of the event loop`);
    await new Promise((r) => setImmediate(r));
  }
}

describe("federated-deployment controller", () => {
  let fds: FakeObjects<FederatedDeployment>;
  let placements: FakeObjects<Placement>;
  let members: FakeObjects<MemberCluster>;
  let deployments: FakeMemberObjects<MemberDeployment>;
  let writer: FakeMemberWriter;
  let published: RolloutProgress[];
  let reconcile: (key: string) => Promise<{ requeueAfterMs?: number } | void>;
  const deps = () => ({
    client: fds,
    cache: fds,
    placements,
    members,
    deployments,
    writer,
    publish: (p: RolloutProgress) => void published.push(p),
    log: createLogger("test", "silent"),
  });

  beforeEach(() => {
    fds = new FakeObjects("FederatedDeployment");
    placements = new FakeObjects("Placement");
    members = new FakeObjects("MemberCluster", { namespaced: false });
    // As the real watch, the cache holds only Deployments fleet-root manages.
    deployments = new FakeMemberObjects<MemberDeployment>(
      "Deployment",
      CLUSTERS,
      (d) => d.metadata.labels?.["spillway.dev/managed-by"] === "fleet-root",
    );
    writer = new FakeMemberWriter({ Deployment: deployments }, MANAGED);
    published = [];
    for (const c of CLUSTERS) members.seed(member(c));
    reconcile = federatedDeploymentReconciler(deps());
  });

  const dep = (cluster: string) => deployments.store(cluster).get("web", ns);
  /** Plays a member's Deployment controller: everything observed and rolled out. */
  const settle = async (cluster: string) => {
    const d = dep(cluster)!;
    const n = d.spec.replicas ?? 0;
    await deployments.store(cluster).replaceStatus({
      ...d,
      status: { observedGeneration: d.metadata.generation, replicas: n, updatedReplicas: n, readyReplicas: n, availableReplicas: n },
    });
  };
  /** Plays a member's Deployment controller noticing a new template it may not roll out (paused): none updated. */
  const observe = (cluster: string) => {
    const d = dep(cluster)!;
    return deployments
      .store(cluster)
      .replaceStatus({ ...d, status: { ...d.status, observedGeneration: d.metadata.generation, updatedReplicas: 0 } });
  };
  /** Reconciles and lets the members settle until fleet-root has nothing left to write (at most `passes`). */
  const converge = async (clusters: string[], passes = 20) => {
    for (let i = 0; i < passes; i++) {
      const before = memberWrites().length;
      await reconcile(`${ns}/web`);
      for (const c of clusters) if (dep(c)) await settle(c);
      if (memberWrites().length === before) return i;
    }
    throw new Error(`still writing after ${passes} passes`);
  };
  /** What fleet-root sent to members (status writes are the member controllers', played by `settle`). */
  const memberWrites = () =>
    CLUSTERS.flatMap((c) =>
      deployments
        .store(c)
        .writes()
        .filter((w) => w.verb !== "replaceStatus")
        .map((w) => `${c}:${w.verb}`),
    );

  it("waits for a placement, then keeps one member Deployment per placed member with the finalizer on", async () => {
    fds.seed(fd());
    await reconcile(`${ns}/web`);
    const waiting = fds.get("web", ns)!;
    expect(waiting.metadata.finalizers).toEqual([FINALIZER]);
    expect(waiting.status?.conditions?.find((c) => c.type === "Progressing")?.reason).toBe("WaitingForPlacement");
    expect(memberWrites()).toEqual([]);

    placements.seed(placement({ "idc-1": 4, "idc-2": 4, "cloud-1": 4 }));
    await reconcile(`${ns}/web`);
    for (const c of CLUSTERS) {
      expect(dep(c)?.spec.replicas).toBe(4);
      expect(dep(c)?.metadata.labels?.["spillway.dev/managed-by"]).toBe("fleet-root");
      expect(dep(c)?.metadata.annotations?.["spillway.dev/federated-deployment"]).toBe(`${ns}/web`);
    }
    expect(writer.namespaces.sort()).toEqual(CLUSTERS.map((c) => `${c}/${ns}`).sort());
  });

  it("says on the workload when replicas fit nowhere, with the scheduler's reason, and when they all fit again", async () => {
    fds.seed(fd());
    await reconcile(`${ns}/web`);
    const scheduled = () => fds.get("web", ns)!.status?.conditions?.find((c) => c.type === "Scheduled");
    expect(scheduled()).toMatchObject({ status: "Unknown", reason: "WaitingForPlacement" });
    const why = "4 of 12 replica(s) fit nowhere: needs 2 cpu per replica; largest free node has 1";
    placements.seed({
      ...placement({ "idc-1": 8 }),
      spec: { ...placement({ "idc-1": 8 }).spec, unschedulableReplicas: 4 },
      status: {
        conditions: [
          { type: "Scheduled", status: "False", reason: "Unschedulable", message: why, lastTransitionTime: "2026-01-01T00:00:00Z" },
        ],
      },
    });
    await reconcile(`${ns}/web`);
    expect(scheduled()).toMatchObject({ status: "False", reason: "Unschedulable", message: why });
    placements.seed(placement({ "idc-1": 8, "cloud-1": 4 }));
    await reconcile(`${ns}/web`);
    expect(scheduled()).toMatchObject({ status: "True", reason: "Scheduled" });
  });

  it("sends nothing to a member whose Deployment already holds what it would apply", async () => {
    fds.seed(fd());
    placements.seed(placement({ "idc-1": 6, "idc-2": 6 }));
    await converge(["idc-1", "idc-2"]);
    const before = memberWrites().length;
    await reconcile(`${ns}/web`);
    await reconcile(`${ns}/web`);
    expect(memberWrites().length).toBe(before);
    const s = fds.get("web", ns)!.status!;
    expect([s.replicas, s.updatedReplicas, s.availableReplicas, s.observedGeneration]).toEqual([12, 12, 12, 1]);
    expect(s.conditions?.find((c) => c.type === "Progressing")?.reason).toBe("NewReplicaSetAvailable");
    expect(published.at(-1)).toMatchObject({ name: "web", complete: true, availableReplicas: 12 });
  });

  it("puts back a field someone changed by hand on a member Deployment", async () => {
    fds.seed(fd());
    placements.seed(placement({ "idc-1": 12 }));
    await converge(["idc-1"]);
    const d = dep("idc-1")!;
    deployments.store("idc-1").seed({ ...d, spec: { ...d.spec, replicas: 1 } });
    await settle("idc-1");
    // Back to 12 as a scale-up within the surge budget (maxSurge 1), one step a pass.
    await converge(["idc-1"]);
    expect(dep("idc-1")!.spec.replicas).toBe(12);
  });

  it("writes nothing while a Ready member of the workload has not been listed since start, and holds the status", async () => {
    fds.seed(fd());
    placements.seed(placement({ "idc-1": 6, "cloud-1": 6 }));
    deployments.set("cloud-1", { synced: false });
    const result = await reconcile(`${ns}/web`);
    expect(memberWrites()).toEqual([]);
    expect(fds.get("web", ns)!.status).toBeUndefined();
    expect(result).toEqual({ requeueAfterMs: 1000 });
    deployments.set("cloud-1", { synced: true });
    await reconcile(`${ns}/web`);
    expect(dep("idc-1")?.spec.replicas).toBe(6);
    expect(dep("cloud-1")?.spec.replicas).toBe(6);
  });

  it("never takes over a Deployment it does not manage, and names the member", async () => {
    deployments.store("cloud-1").seed({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: ns },
      spec: { replicas: 1 },
    });
    fds.seed(fd());
    placements.seed(placement({ "idc-1": 6, "cloud-1": 6 }));
    const unmanaged = () => deployments.store("cloud-1").get("web", ns)!;
    await reconcile(`${ns}/web`);
    const conflict = fds.get("web", ns)!.status?.conditions?.find((c) => c.type === "MemberConflict");
    expect(conflict?.status).toBe("True");
    expect(conflict?.message).toMatch(/not managed by Spillway in cloud-1/);
    expect(unmanaged().spec.replicas).toBe(1);
    expect(unmanaged().metadata.labels?.["spillway.dev/managed-by"]).toBeUndefined();
  });

  it("shrinks one member's share before it grows another's, never in the same pass", async () => {
    const strategy = { maxSurge: 2, maxUnavailable: 0 };
    fds.seed(fd("app:1", strategy));
    placements.seed(placement({ "idc-1": 6, "idc-2": 6 }));
    await converge(["idc-1", "idc-2"]);
    // A new template. First pass: idc-2 is paused (its idle share shrinks); idc-1 must wait.
    fds.seed({ ...fds.get("web", ns)!, spec: fd("app:2", strategy).spec });
    placements.seed(
      placement({ "idc-1": 6, "idc-2": 6 }, { generation: fds.get("web", ns)!.metadata.generation!, room: { "idc-1": 2, "idc-2": 2 } }),
    );
    expect(await reconcile(`${ns}/web`)).toEqual({ requeueAfterMs: 100 });
    expect(dep("idc-2")!.spec.paused).toBe(true);
    expect(dep("idc-1")!.spec.strategy?.rollingUpdate?.maxSurge).toBe(0);
    // Once idc-2 has observed that, idc-1 (first in placement order) gets the whole surge budget of 2.
    await observe("idc-2");
    await reconcile(`${ns}/web`);
    expect(dep("idc-1")!.spec.strategy?.rollingUpdate?.maxSurge).toBe(2);
    // idc-1 finishes: its share shrinks now, idc-2's may grow only on a later pass.
    await settle("idc-1");
    expect(await reconcile(`${ns}/web`)).toEqual({ requeueAfterMs: 100 });
    expect(dep("idc-1")!.spec.strategy?.rollingUpdate?.maxSurge).toBe(0);
    expect(dep("idc-2")!.spec.paused).toBe(true);
    await settle("idc-1");
    await reconcile(`${ns}/web`);
    expect(dep("idc-2")!.spec.paused ?? false).toBe(false);
    expect(dep("idc-2")!.spec.strategy?.rollingUpdate?.maxSurge).toBe(2);
  });

  it("hands out no surge until the scheduler has published room for the new generation, then only where it fits", async () => {
    const strategy = { maxSurge: 2, maxUnavailable: 0 };
    fds.seed(fd("app:1", strategy));
    placements.seed(placement({ "idc-1": 6, "idc-2": 6 }));
    await converge(["idc-1", "idc-2"]);
    fds.seed({ ...fds.get("web", ns)!, spec: fd("app:2", strategy).spec });
    const generation = fds.get("web", ns)!.metadata.generation!;
    await reconcile(`${ns}/web`);
    await observe("idc-1");
    await observe("idc-2");
    await reconcile(`${ns}/web`);
    // The Placement still speaks of the last generation: nobody surges.
    expect([dep("idc-1")!.spec.paused, dep("idc-2")!.spec.paused]).toEqual([true, true]);
    // Room for the new template in idc-2 only: the surge goes there, idc-1 is reported stalled.
    placements.seed(placement({ "idc-1": 6, "idc-2": 6 }, { generation, room: { "idc-1": 0, "idc-2": 1 } }));
    await reconcile(`${ns}/web`);
    await observe("idc-1");
    await observe("idc-2");
    await reconcile(`${ns}/web`);
    expect(dep("idc-1")!.spec.paused).toBe(true);
    expect(dep("idc-2")!.spec).toMatchObject({ paused: false, strategy: { rollingUpdate: { maxSurge: 1 } } });
    expect(fds.get("web", ns)!.status?.stalledClusters).toEqual([{ name: "idc-1", replicas: 2, placedReplicas: 6 }]);
  });

  it("removes the member Deployments it manages before letting the FederatedDeployment go", async () => {
    fds.seed(fd());
    placements.seed(placement({ "idc-1": 6, "cloud-1": 6 }));
    await reconcile(`${ns}/web`);
    await fds.delete({ namespace: ns, name: "web" });
    expect(fds.get("web", ns)?.metadata.deletionTimestamp).toBeDefined();
    await reconcile(`${ns}/web`);
    expect(dep("idc-1")).toBeUndefined();
    expect(dep("cloud-1")).toBeUndefined();
    expect(fds.get("web", ns)).toBeUndefined();
  });

  it("keeps the finalizer while a member cannot be cleaned up, and retries", async () => {
    fds.seed(fd());
    placements.seed(placement({ "idc-1": 12 }));
    await reconcile(`${ns}/web`);
    await fds.delete({ namespace: ns, name: "web" });
    deployments.store("idc-1").failNext("delete", Object.assign(new Error("etcd timeout"), { code: 500 }));
    expect(await reconcile(`${ns}/web`)).toEqual({ requeueAfterMs: 2000 });
    expect(fds.get("web", ns)?.metadata.finalizers).toEqual([FINALIZER]);
    await reconcile(`${ns}/web`);
    expect(fds.get("web", ns)).toBeUndefined();
  });

  it("goes on as soon as a held-for member has been listed, without waiting for its requeue", async () => {
    jest.useFakeTimers({ doNotFake: ["setImmediate", "nextTick", "queueMicrotask"] });
    try {
      fds.seed(fd());
      placements.seed(placement({ "idc-1": 6, "cloud-1": 6 }));
      deployments.set("cloud-1", { synced: false });
      const controller = federatedDeploymentController({ ...deps(), resyncPeriodMs: 600_000 });
      await controller.start();
      await controller.queue.idle();
      expect(dep("idc-1")).toBeUndefined();
      // No timer is advanced: only the member's "listed" signal can bring the workload back.
      deployments.set("cloud-1", { synced: true });
      await until(() => dep("idc-1") !== undefined && dep("cloud-1") !== undefined, "member Deployments written after the sync");
      await controller.stop();
    } finally {
      jest.useRealTimers();
    }
  });

  it("re-queues a workload when its member Deployment changes, through the declared watches", async () => {
    fds.seed(fd());
    placements.seed(placement({ "idc-1": 12 }));
    const controller = federatedDeploymentController({ ...deps(), resyncPeriodMs: 60_000 });
    await controller.start();
    await controller.queue.idle();
    expect(dep("idc-1")?.spec.replicas).toBe(12);
    // The member's Deployment controller reports progress: the watch brings fleet-root back.
    await settle("idc-1");
    await until(() => fds.get("web", ns)?.status?.availableReplicas === 12, "status aggregated");
    await controller.stop();
  });
});
