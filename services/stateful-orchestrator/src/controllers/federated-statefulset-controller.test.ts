/**
 * The orchestrator's controller through the kit's in-memory fakes: host objects in FakeObjects,
 * each member's StatefulSets and pods in FakeMemberObjects stores that play the member's API
 * server. A member's StatefulSet controller is played by `settle`: pods for exactly the spec's
 * range (outside it deleted), those at or above the member partition on the update revision,
 * all Ready.
 */
import { beforeEach, describe, expect, it } from "@jest/globals";
import type { V1PersistentVolumeClaim, V1Pod, V1StatefulSet } from "@kubernetes/client-node";
import type { FederatedStatefulSet, KubeObject, MemberCluster, Placement } from "@spillway/api";
import type { RolloutProgress } from "@spillway/bus";
import { FakeMemberObjects, FakeObjects, memberFixture } from "@spillway/kit/testing";
import { createLogger } from "@spillway/telemetry";
import { FakeMemberWriter } from "@spillway/member-workload/testing";
import { MANAGED } from "../adapters/member-statefulsets.ts";
import { MANAGED_BY, MANAGER, TEMPLATE_HASH } from "../core/member-statefulset.ts";
import { federatedStatefulSetReconciler, FINALIZER } from "./federated-statefulset-controller.ts";

type Sts = KubeObject<Record<string, unknown>, Record<string, unknown>> & V1StatefulSet;
type Pod = KubeObject<Record<string, unknown>, Record<string, unknown>> & V1Pod;
type Claim = KubeObject<Record<string, unknown>, Record<string, unknown>> & V1PersistentVolumeClaim;
const CLUSTERS = ["idc-1", "idc-2", "cloud-1"];
const ns = "data";
const key = `${ns}/db`;

const member = memberFixture;

const fsts = (image = "db:1", partition = 0): FederatedStatefulSet => ({
  apiVersion: "spillway.dev/v1alpha1",
  kind: "FederatedStatefulSet",
  metadata: { name: "db", namespace: ns, generation: 1 },
  spec: {
    replicas: 6,
    serviceName: "db",
    selector: { matchLabels: { app: "db" } },
    podManagementPolicy: "Parallel",
    template: { metadata: { labels: { app: "db" } }, spec: { containers: [{ name: "db", image }] } },
    updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition } },
  },
});

const placement = (ranges: Array<[string, number, number]>): Placement => ({
  apiVersion: "spillway.dev/v1alpha1",
  kind: "Placement",
  metadata: { name: "federatedstatefulset-db", namespace: ns },
  spec: {
    workloadRef: { apiVersion: "spillway.dev/v1alpha1", kind: "FederatedStatefulSet", name: "db" },
    workloadGeneration: 1,
    clusters: ranges.map(([name, start, count]) => ({ name, replicas: count, ordinalStart: start, reason: "fits" })),
    unschedulableReplicas: 0,
  },
});

describe("federated-statefulset controller", () => {
  let workloads: FakeObjects<FederatedStatefulSet>;
  let placements: FakeObjects<Placement>;
  let members: FakeObjects<MemberCluster>;
  let sets: FakeMemberObjects<Sts>;
  let pods: FakeMemberObjects<Pod>;
  let claims: FakeMemberObjects<Claim>;
  let writer: FakeMemberWriter;
  let published: RolloutProgress[];
  let reconcile: (key: string) => Promise<{ requeueAfterMs?: number } | void>;
  const events: string[] = [];

  beforeEach(() => {
    workloads = new FakeObjects("FederatedStatefulSet");
    placements = new FakeObjects("Placement");
    members = new FakeObjects("MemberCluster", { namespaced: false });
    sets = new FakeMemberObjects<Sts>("StatefulSet", CLUSTERS, (s) => s.metadata.labels?.[MANAGED_BY] === MANAGER);
    pods = new FakeMemberObjects<Pod>("Pod", CLUSTERS);
    claims = new FakeMemberObjects<Claim>("PersistentVolumeClaim", CLUSTERS);
    writer = new FakeMemberWriter({ StatefulSet: sets, PersistentVolumeClaim: claims }, MANAGED);
    published = [];
    for (const c of CLUSTERS) members.seed(member(c));
    reconcile = federatedStatefulSetReconciler({
      client: workloads,
      cache: workloads,
      placements,
      members,
      statefulSets: sets,
      pods,
      claims,
      writer,
      publish: (p) => void published.push(p),
      events: { record: async (_o, _t, reason, note) => void events.push(`${reason}: ${note}`) },
      log: createLogger("test", "silent"),
    });
  });

  const sts = (c: string) => sets.store(c).get("db", ns);
  const range = (c: string) => {
    const s = sts(c);
    return s ? [s.spec!.ordinals?.start ?? 0, s.spec!.replicas ?? 0] : undefined;
  };
  const podOrdinals = (c: string) =>
    pods
      .store(c)
      .list(ns)
      .map((p) => Number(p.metadata.labels!["apps.kubernetes.io/pod-index"]))
      .sort((a, b) => a - b);
  /** Plays the member's StatefulSet controller and kwok in one go: removal happens first (a second call finishes what a first started). */
  const settle = async (c: string) => {
    const s = sts(c);
    const store = pods.store(c);
    const start = s?.spec?.ordinals?.start ?? 0;
    const n = s?.spec?.replicas ?? 0;
    const rev = `db-${s?.metadata.annotations?.[TEMPLATE_HASH] ?? ""}`;
    const partition = s?.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
    for (const p of store.list(ns)) {
      const k = Number(p.metadata.labels!["apps.kubernetes.io/pod-index"]);
      if (!s || k < start || k >= start + n) await store.delete({ namespace: ns, name: p.metadata.name! });
    }
    if (!s) return;
    for (let k = start; k < start + n; k++) {
      const existing = store.get(`db-${k}`, ns);
      // As a StatefulSet does: the pod's claims first, where there are none.
      for (const t of (s.spec?.volumeClaimTemplates ?? []).map((v) => `${v.metadata?.name}-db-${k}`))
        if (!existing && !claims.store(c).get(t, ns))
          claims.store(c).seed({
            apiVersion: "v1",
            kind: "PersistentVolumeClaim",
            metadata: {
              name: t,
              namespace: ns,
              labels: { app: "db" },
              uid: `${c}-${t}-${++made}`,
              creationTimestamp: new Date(made * 1000),
            },
          } as unknown as Claim);
      const revision = k - start >= partition ? rev : (existing?.metadata.labels?.["controller-revision-hash"] ?? rev);
      store.seed({
        apiVersion: "v1",
        kind: "Pod",
        metadata: {
          name: `db-${k}`,
          namespace: ns,
          labels: {
            app: "db",
            [MANAGED_BY]: MANAGER,
            "spillway.dev/federated-statefulset": "db",
            "apps.kubernetes.io/pod-index": String(k),
            "controller-revision-hash": revision,
          },
          annotations: { "spillway.dev/federated-statefulset": `${ns}/db` },
        },
        status: { phase: "Running", conditions: [{ type: "Ready", status: "True", lastTransitionTime: new Date(0) }] },
      } as unknown as Pod);
    }
    await sets.store(c).replaceStatus({
      ...s,
      status: {
        observedGeneration: s.metadata.generation,
        replicas: n,
        readyReplicas: n,
        availableReplicas: n,
        updateRevision: rev,
        currentRevision: rev,
      },
    } as Sts);
  };
  let made = 0;
  const claimsIn = (c: string) =>
    claims
      .store(c)
      .list(ns)
      .map((x) => x.metadata.uid!)
      .sort();
  const converge = async (passes = 30) => {
    for (let i = 0; i < passes; i++) {
      await reconcile(key);
      for (const c of CLUSTERS) await settle(c);
    }
  };

  it("waits for a placement, then keeps one StatefulSet per range with ordinals.start, the finalizer and the headless Service", async () => {
    workloads.seed(fsts());
    await reconcile(key);
    expect(workloads.get("db", ns)!.metadata.finalizers).toEqual([FINALIZER]);
    expect(workloads.get("db", ns)!.status?.conditions?.find((c) => c.type === "Ready")?.reason).toBe("WaitingForPlacement");
    placements.seed(
      placement([
        ["idc-1", 0, 3],
        ["idc-2", 3, 2],
        ["cloud-1", 5, 1],
      ]),
    );
    await converge();
    expect(CLUSTERS.map(range)).toEqual([
      [0, 3],
      [3, 2],
      [5, 1],
    ]);
    expect(CLUSTERS.map(podOrdinals)).toEqual([[0, 1, 2], [3, 4], [5]]);
    expect(writer.ensured.sort()).toEqual(["cloud-1/db", "idc-1/db", "idc-2/db"]);
    const s = workloads.get("db", ns)!.status!;
    expect(s.rangeSummary).toBe("idc-1:0-2 idc-2:3-4 cloud-1:5");
    expect([s.replicas, s.readyReplicas, s.availableReplicas, s.notReadyCount]).toEqual([6, 6, 6, 0]);
    expect(s.selector).toBe("app=db");
    expect(published.at(-1)).toMatchObject({ name: "db", complete: true });
  });

  it("deletes a moved ordinal's claim where it ran before it starts in its new member; keeps a scaled-away one (Retain)", async () => {
    const withClaims = fsts();
    withClaims.spec.volumeClaimTemplates = [{ metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"] } }];
    workloads.seed(withClaims);
    placements.seed(
      placement([
        ["idc-2", 0, 4],
        ["cloud-1", 4, 2],
      ]),
    );
    await converge();
    const cloudBefore = claimsIn("cloud-1");
    expect(cloudBefore).toHaveLength(2);
    placements.seed(
      placement([
        ["idc-2", 0, 5],
        ["cloud-1", 5, 1],
      ]),
    );
    // Pass by pass: ordinal 4's claim never exists in both members at once.
    for (let i = 0; i < 30; i++) {
      await reconcile(key);
      for (const c of CLUSTERS) await settle(c);
      const where = CLUSTERS.filter((c) => claims.store(c).get("data-db-4", ns));
      expect(where.length).toBeLessThanOrEqual(1);
    }
    expect(podOrdinals("idc-2")).toEqual([0, 1, 2, 3, 4]);
    expect(claims.store("cloud-1").get("data-db-4", ns)).toBeUndefined();
    expect(claimsIn("idc-2")).not.toContain(cloudBefore[0]);
    expect(events).toContain(
      "ReleasedClaim: Deleted volume claim data-db-4 in cloud-1: ordinal 4 moved to idc-2 and starts there on a new claim",
    );
    // A claim someone made by hand under a name of ours (without the selector's labels) is theirs:
    // ordinal 2 runs in idc-2, yet cloud-1's data-db-2 stays.
    claims.store("cloud-1").seed({
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: "data-db-2", namespace: ns, uid: "by-hand", creationTimestamp: new Date(0) },
    } as unknown as Claim);
    // Scaled away: ordinal 5's claim stays in cloud-1, the member StatefulSet gone with its pods.
    workloads.seed({ ...workloads.get("db", ns)!, spec: { ...workloads.get("db", ns)!.spec, replicas: 5 } });
    placements.seed(placement([["idc-2", 0, 5]]));
    await converge();
    expect(podOrdinals("cloud-1")).toEqual([]);
    expect(claims.store("cloud-1").get("data-db-5", ns)).toBeDefined();
    expect(claims.store("cloud-1").get("data-db-2", ns)?.metadata.uid).toBe("by-hand");
  });

  it("says on the workload when ordinals fit nowhere, with the scheduler's reason", async () => {
    workloads.seed(fsts());
    await reconcile(key);
    const scheduled = () => workloads.get("db", ns)!.status?.conditions?.find((c) => c.type === "Scheduled");
    expect(scheduled()).toMatchObject({ status: "Unknown", reason: "WaitingForPlacement" });
    const why = "2 of 6 replica(s) fit nowhere: needs 8 cpu per replica; largest free node has 3";
    const partial = placement([["idc-1", 0, 4]]);
    placements.seed({
      ...partial,
      spec: { ...partial.spec, unschedulableReplicas: 2 },
      status: {
        conditions: [
          { type: "Scheduled", status: "False", reason: "Unschedulable", message: why, lastTransitionTime: "2026-01-01T00:00:00Z" },
        ],
      },
    });
    await reconcile(key);
    expect(scheduled()).toMatchObject({ status: "False", reason: "Unschedulable", message: why });
  });

  it("starts a moved ordinal in its new member only once its pod is gone from the old one", async () => {
    workloads.seed(fsts());
    placements.seed(
      placement([
        ["idc-1", 0, 3],
        ["cloud-1", 3, 3],
      ]),
    );
    await converge();
    placements.seed(
      placement([
        ["idc-1", 0, 4],
        ["cloud-1", 4, 2],
      ]),
    );
    await reconcile(key);
    // cloud-1 gave ordinal 3 up (ordinals.start raised) but its pod is still there: idc-1 waits.
    expect(range("cloud-1")).toEqual([4, 2]);
    expect(range("idc-1")).toEqual([0, 3]);
    expect(podOrdinals("cloud-1")).toContain(3);
    const s = workloads.get("db", ns)!.status!;
    expect(s.notReadyOrdinals).toEqual([{ ordinal: 3, cluster: "idc-1", reason: "still in cloud-1; starts here once it is gone" }]);
    await settle("cloud-1");
    await reconcile(key);
    expect(range("idc-1")).toEqual([0, 4]);
  });

  it("writes nothing while a member that may hold ordinals has not been listed since start, and holds the status", async () => {
    workloads.seed(fsts());
    placements.seed(placement([["idc-1", 0, 6]]));
    pods.set("cloud-1", { synced: false });
    await reconcile(key);
    expect(sts("idc-1")).toBeUndefined();
    expect(workloads.get("db", ns)!.status?.observedGeneration).toBeUndefined();
    pods.set("cloud-1", { synced: true });
    await reconcile(key);
    expect(range("idc-1")).toEqual([0, 6]);
  });

  it("never takes over an unmanaged StatefulSet of the same name, and says where it is", async () => {
    workloads.seed(fsts());
    sets
      .store("idc-2")
      .seed({ apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: "db", namespace: ns }, spec: { replicas: 1 } } as Sts);
    placements.seed(
      placement([
        ["idc-1", 0, 3],
        ["idc-2", 3, 3],
      ]),
    );
    await reconcile(key);
    expect(sts("idc-2")!.metadata.labels).toBeUndefined();
    const conflict = workloads.get("db", ns)!.status!.conditions!.find((c) => c.type === "MemberConflict")!;
    expect(conflict.status).toBe("True");
    expect(conflict.message).toMatch(/not managed by Spillway in idc-2/);
  });

  it("rolls the top member first: members below keep their partition at their whole range until it is done", async () => {
    workloads.seed(fsts("db:1"));
    placements.seed(
      placement([
        ["idc-1", 0, 3],
        ["cloud-1", 3, 3],
      ]),
    );
    await converge();
    workloads.seed({ ...fsts("db:2", 2), metadata: { ...fsts().metadata, generation: 2, finalizers: [FINALIZER] } });
    await reconcile(key);
    expect(sts("cloud-1")!.spec!.updateStrategy!.rollingUpdate!.partition).toBe(0);
    expect(sts("idc-1")!.spec!.updateStrategy!.rollingUpdate!.partition).toBe(3);
    await settle("cloud-1");
    await reconcile(key);
    // cloud-1 done: idc-1 may update its ordinals ≥ 2 (partition 2 − start 0).
    expect(sts("idc-1")!.spec!.updateStrategy!.rollingUpdate!.partition).toBe(2);
    await converge(3);
    expect(workloads.get("db", ns)!.status!.updatedReplicas).toBe(4);
  });

  it("removes the member StatefulSets before letting the FederatedStatefulSet go", async () => {
    workloads.seed(fsts());
    placements.seed(placement([["idc-1", 0, 6]]));
    await converge(2);
    await workloads.delete({ namespace: ns, name: "db" });
    await reconcile(key);
    expect(sts("idc-1")).toBeUndefined();
    expect(workloads.get("db", ns)).toBeUndefined();
  });

  it("says in a condition what a member refused, and clears it once the write goes through", async () => {
    workloads.seed(fsts());
    placements.seed(placement([["idc-1", 0, 6]]));
    const refusal = Object.assign(new Error("refused"), {
      body: {
        message:
          "StatefulSet.apps \"db\" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas' are forbidden",
      },
    });
    sets.store("idc-1").failNext("apply", refusal);
    await reconcile(key);
    const failed = workloads.get("db", ns)!.status!.conditions!.find((c) => c.type === "MemberWriteFailed")!;
    expect(failed.status).toBe("True");
    expect(failed.message).toMatch(/^idc-1: StatefulSet.apps "db" is invalid: spec: Forbidden/);
    await reconcile(key);
    expect(workloads.get("db", ns)!.status!.conditions!.find((c) => c.type === "MemberWriteFailed")!.status).toBe("False");
  });
});
