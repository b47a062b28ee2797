/**
 * The dependency follower through the kit's in-memory fakes: host objects in FakeObjects, each
 * member's copies in FakeMemberObjects stores that play the members' API servers.
 */
import { beforeEach, describe, expect, it } from "@jest/globals";
import type { FederatedDeployment, FederatedStatefulSet, KubeObject, MemberCluster, Placement } from "@spillway/api";
import { FakeMemberObjects, FakeObjects, memberFixture } from "@spillway/kit/testing";
import { DEPENDENCY_COPIES } from "@spillway/member-workload";
import { FakeMemberWriter } from "@spillway/member-workload/testing";
import { dependencyKindNames, type DependencyKind, type DependencyObject } from "@spillway/rules";
import { createLogger } from "@spillway/telemetry";
import { byKind, type ByKind } from "../adapters/dependency-objects.ts";
import { dependencyReconciler } from "./dependency-controller.ts";

type Obj = KubeObject<unknown, unknown> & { [field: string]: unknown };
const CLUSTERS = ["idc-1", "idc-2", "cloud-1"];
const ns = "shop";
const kinds = dependencyKindNames;

const fd = (name: string, configMap: string): FederatedDeployment => ({
  apiVersion: "spillway.dev/v1alpha1",
  kind: "FederatedDeployment",
  metadata: { name, namespace: ns },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: {
        containers: [{ name: "app", image: "app:1", envFrom: [{ secretRef: { name: "pw" } }] }],
        volumes: [{ name: "c", configMap: { name: configMap } }],
      },
    },
  } as FederatedDeployment["spec"],
});

const placement = (name: string, clusters: string[]): Placement => ({
  apiVersion: "spillway.dev/v1alpha1",
  kind: "Placement",
  metadata: { name: `federateddeployment-${name}`, namespace: ns },
  spec: {
    workloadRef: { apiVersion: "spillway.dev/v1alpha1", kind: "FederatedDeployment", name },
    workloadGeneration: 1,
    clusters: clusters.map((c) => ({ name: c, replicas: 1, reason: "fits" })),
    unschedulableReplicas: 0,
  },
});

const object = (kind: DependencyKind, name: string, extra: Record<string, unknown>, labels: Record<string, string> = {}): Obj => ({
  apiVersion: "v1",
  kind,
  metadata: { name, namespace: ns, labels },
  spec: undefined,
  ...extra,
});

describe("dependency follower", () => {
  let deployments: FakeObjects<FederatedDeployment>;
  let placements: FakeObjects<Placement>;
  let sources: ByKind<FakeObjects<Obj>>;
  let copies: ByKind<FakeMemberObjects<Obj>>;
  let reconcile: (key: string) => Promise<unknown>;

  beforeEach(() => {
    deployments = new FakeObjects("FederatedDeployment");
    placements = new FakeObjects("Placement");
    const members = new FakeObjects<MemberCluster>("MemberCluster", { namespaced: false });
    for (const c of CLUSTERS) members.seed(memberFixture(c));
    sources = byKind((k) => new FakeObjects<Obj>(k));
    copies = byKind(
      (k) => new FakeMemberObjects<Obj>(k, CLUSTERS, (o) => o.metadata.labels?.[DEPENDENCY_COPIES.label] === DEPENDENCY_COPIES.value),
    );
    reconcile = dependencyReconciler({
      deployments,
      statefulSets: new FakeObjects<FederatedStatefulSet>("FederatedStatefulSet"),
      placements,
      members,
      sources: sources as unknown as ByKind<FakeObjects<DependencyObject & Obj>>,
      copies: copies as unknown as ByKind<FakeMemberObjects<DependencyObject & Obj>>,
      writer: new FakeMemberWriter(copies, DEPENDENCY_COPIES),
      log: createLogger("test", "silent"),
    });
    sources.ConfigMap.seed(object("ConfigMap", "cfg", { data: { a: "1" } }));
    sources.ConfigMap.seed(object("ConfigMap", "other", { data: { b: "2" } }));
    sources.Secret.seed(object("Secret", "pw", { type: "Opaque", data: { p: "cw==" } }));
    sources.Service.seed(object("Service", "web", { spec: { selector: { app: "web" }, clusterIP: "10.0.0.1", ports: [{ port: 80 }] } }));
  });

  const held = (cluster: string) =>
    kinds
      .flatMap((k) =>
        copies[k]
          .store(cluster)
          .list(ns)
          .map((o) => `${k}/${o.metadata.name}`),
      )
      .sort();

  it("copies what a placed workload's pods need to each of its members, and only there", async () => {
    deployments.seed(fd("web", "cfg"));
    placements.seed(placement("web", ["idc-1", "idc-2"]));
    await reconcile(`${ns}/dependencies`);
    expect(held("idc-1")).toEqual(["ConfigMap/cfg", "Secret/pw", "Service/web"]);
    expect(held("idc-2")).toEqual(["ConfigMap/cfg", "Secret/pw", "Service/web"]);
    expect(held("cloud-1")).toEqual([]);
    const svc = copies.Service.store("idc-1").get("web", ns) as { spec?: { clusterIP?: string } };
    expect(svc.spec?.clusterIP).toBeUndefined();
  });

  it("changes every copy with its source, and puts back a copy edited in a member", async () => {
    deployments.seed(fd("web", "cfg"));
    placements.seed(placement("web", ["idc-1"]));
    await reconcile(`${ns}/dependencies`);
    sources.ConfigMap.seed(object("ConfigMap", "cfg", { data: { a: "2" } }));
    const copy = copies.Secret.store("idc-1").get("pw", ns)!;
    await copies.Secret.store("idc-1").replace({ ...copy, data: { p: "aGFja2Vk", extra: "eA==" } });
    await reconcile(`${ns}/dependencies`);
    expect(copies.ConfigMap.store("idc-1").get("cfg", ns)?.data).toEqual({ a: "2" });
    expect(copies.Secret.store("idc-1").get("pw", ns)?.data).toEqual({ p: "cw==" });
  });

  it("follows the workload when it moves, and keeps a shared copy while any workload there names it", async () => {
    deployments.seed(fd("web", "cfg"));
    deployments.seed(fd("api", "cfg"));
    placements.seed(placement("web", ["idc-1"]));
    placements.seed(placement("api", ["idc-1"]));
    await reconcile(`${ns}/dependencies`);
    placements.seed(placement("web", ["cloud-1"]));
    await reconcile(`${ns}/dependencies`);
    expect(held("cloud-1")).toEqual(["ConfigMap/cfg", "Secret/pw", "Service/web"]);
    // api still runs in idc-1: cfg and pw stay; web's Service selects nothing there now.
    expect(held("idc-1")).toEqual(["ConfigMap/cfg", "Secret/pw"]);
    await deployments.delete({ namespace: ns, name: "api" });
    await reconcile(`${ns}/dependencies`);
    expect(held("idc-1")).toEqual([]);
  });

  it("gives each member its copy with the source's overrides that select it (a storage class in cloud)", async () => {
    sources.PersistentVolumeClaim.seed(
      object("PersistentVolumeClaim", "data", {
        spec: { accessModes: ["ReadWriteOnce"], storageClassName: "ceph" },
        metadata: {
          name: "data",
          namespace: ns,
          annotations: {
            "spillway.dev/overrides": JSON.stringify([
              { clusterNames: ["cloud-1"], patches: [{ op: "replace", path: "/spec/storageClassName", value: "gp3" }] },
            ]),
          },
        },
      }),
    );
    const withClaim = fd("web", "cfg");
    (withClaim.spec.template.spec as { volumes: unknown[] }).volumes.push({ name: "d", persistentVolumeClaim: { claimName: "data" } });
    deployments.seed(withClaim);
    placements.seed(placement("web", ["idc-1", "cloud-1"]));
    await reconcile(`${ns}/dependencies`);
    const claimIn = (c: string) =>
      (copies.PersistentVolumeClaim.store(c).get("data", ns) as { spec?: { storageClassName?: string } }).spec?.storageClassName;
    expect([claimIn("idc-1"), claimIn("cloud-1")]).toEqual(["ceph", "gp3"]);
  });

  it("never overwrites a member's own object of a dependency's name, and looks again later", async () => {
    await copies.ConfigMap.store("idc-1").create(object("ConfigMap", "cfg", { data: { mine: "yes" } }));
    deployments.seed(fd("web", "cfg"));
    placements.seed(placement("web", ["idc-1"]));
    expect(await reconcile(`${ns}/dependencies`)).toEqual({ requeueAfterMs: 10_000 });
    expect(copies.ConfigMap.store("idc-1").get("cfg", ns)?.data).toEqual({ mine: "yes" });
    // The rest of what the workload needs there still follows.
    expect(copies.Secret.store("idc-1").get("pw", ns)?.metadata.labels?.[DEPENDENCY_COPIES.label]).toBe("dependencies");
  });

  it("writes nothing to a member whose copies have not been listed since start", async () => {
    copies.ConfigMap.set("idc-1", { synced: false });
    deployments.seed(fd("web", "cfg"));
    placements.seed(placement("web", ["idc-1"]));
    expect(await reconcile(`${ns}/dependencies`)).toEqual({ requeueAfterMs: 1000 });
    expect(held("idc-1")).toEqual([]);
  });
});
