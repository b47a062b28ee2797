import { describe, expect, it } from "@jest/globals";
import { fleetResources } from "@spillway/api";
import { templateHash } from "@spillway/rules";
import { FleetKeyspace } from "./fleet-keyspace.ts";
import { decodeForMember, FleetObjects, HOST, type MemberObject } from "./fleet-objects.ts";
import { fleetReplicaSets } from "./fleet-replicasets.ts";
import { compactPod } from "./cached-pod.ts";

const template = { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "app", image: "app:2" }] } };
const oldTemplate = { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "app", image: "app:1" }] } };
const deployment = {
  metadata: { name: "web", namespace: "shop", uid: "fleet-uid" },
  spec: { replicas: 4, selector: { matchLabels: { app: "web" } }, template },
};
const memberRs = (cluster: string, fleetTemplate: object, replicas: number, ready: number, revision: string) => ({
  cluster,
  rs: {
    metadata: {
      name: `web-${cluster}-${revision}`,
      namespace: "shop",
      creationTimestamp: `2026-01-0${revision}T00:00:00Z`,
      annotations: {
        "spillway.dev/federated-deployment": "shop/web",
        "spillway.dev/fleet-template-hash": templateHash(fleetTemplate),
        "deployment.kubernetes.io/revision": revision,
      },
    },
    spec: { replicas, template: { ...fleetTemplate, metadata: { labels: { app: "web", "pod-template-hash": `h${cluster}` } } } },
    status: { replicas, readyReplicas: ready, availableReplicas: ready },
  },
});

describe("fleetReplicaSets", () => {
  const sets = fleetReplicaSets(deployment, [
    memberRs("idc-1", template, 2, 2, "2"),
    memberRs("cloud-1", template, 2, 1, "3"),
    memberRs("idc-1", oldTemplate, 0, 0, "1"),
  ]);
  const current = sets.find((s) => s.metadata!.name === `web-${templateHash(template).slice(0, 10)}`)!;

  it("sums each template's ReplicaSets over the members, owned by the fleet Deployment", () => {
    expect(sets).toHaveLength(2);
    expect(current.spec!.replicas).toBe(4);
    expect(current.status).toMatchObject({ replicas: 4, readyReplicas: 3, availableReplicas: 3, observedGeneration: 1 });
    expect(current.metadata!.generation).toBe(1);
    expect(current.metadata!.ownerReferences).toEqual([
      { apiVersion: "apps/v1", kind: "Deployment", name: "web", uid: "fleet-uid", controller: true, blockOwnerDeletion: true },
    ]);
    expect(current.metadata!.annotations!["deployment.kubernetes.io/revision"]).toBe("3");
  });

  it("gives the current one the Deployment's own template (helm's and kubectl's match, ignoring the hash label)", () => {
    const t = current.spec!.template as typeof template;
    const { "pod-template-hash": hash, ...labels } = t.metadata.labels as Record<string, string>;
    expect({ ...t, metadata: { ...t.metadata, labels } }).toEqual(template);
    expect(hash).toBe(templateHash(template).slice(0, 10));
    expect(current.spec!.selector).toEqual({ matchLabels: { app: "web", "pod-template-hash": hash } });
  });

  it("keeps an old template's ReplicaSet with that template, for rollout history and undo", () => {
    const old = sets.find((s) => s !== current)!;
    expect((old.spec!.template as { spec: unknown }).spec).toEqual(oldTemplate.spec);
    expect(old.metadata!.annotations!["deployment.kubernetes.io/revision"]).toBe("1");
  });
});

describe("FleetObjects serves the fleet's ReplicaSets in place of the members' of a fleet workload", () => {
  const deployments = fleetResources.find((r) => r.resource === "deployments")!;
  const replicasets = fleetResources.find((r) => r.resource === "replicasets")!;

  it("one ReplicaSet per template, while members' own ReplicaSets are served as before; gone with the Deployment", () => {
    let now = 1;
    const keyspace = new FleetKeyspace({ clockMicros: () => now++, windowSize: 100 });
    const objects = new FleetObjects(keyspace, () => 0);
    const fd = { metadata: { name: "web", namespace: "shop", uid: "host-uid" }, spec: deployment.spec };
    objects.upsert(deployments, HOST, fd);
    objects.upsert(replicasets, "idc-1", memberRs("idc-1", template, 2, 2, "1").rs);
    objects.upsert(replicasets, "cloud-1", memberRs("cloud-1", template, 1, 1, "1").rs);
    objects.upsert(replicasets, "idc-1", { metadata: { name: "theirs", namespace: "shop" } });
    const names = () =>
      keyspace.range("/registry/replicasets/", { end: "/registry/replicasets0" }).kvs.map((kv) => kv.key.split("/").pop());
    expect(names()).toEqual([`web-${templateHash(template).slice(0, 10)}`, "theirs"].sort());
    const served = JSON.parse(keyspace.get(`/registry/replicasets/shop/web-${templateHash(template).slice(0, 10)}`)!.value);
    expect(served.status.readyReplicas).toBe(3);
    objects.remove(replicasets, "cloud-1", "shop", "web-cloud-1-1");
    expect(
      JSON.parse(keyspace.get(`/registry/replicasets/shop/web-${templateHash(template).slice(0, 10)}`)!.value).status.readyReplicas,
    ).toBe(2);
    objects.remove(deployments, HOST, "shop", "web");
    expect(names()).toEqual(["theirs"]);
  });

  const pods = fleetResources.find((r) => r.resource === "pods")!;
  const statefulsets = fleetResources.find((r) => r.resource === "statefulsets")!;
  const owner = (kind: string, name: string, uid: string) => ({
    apiVersion: "apps/v1",
    kind,
    name,
    uid,
    controller: true,
    blockOwnerDeletion: true,
  });
  // As the member connection's cache leaves it once the fleet feed has seen it: shrunk.
  const pod = (name: string, ref: object): MemberObject => ({
    metadata: { name, namespace: "shop", uid: `pod-${name}`, ownerReferences: [ref], annotations: { note: "whole" } },
    spec: { containers: [{ name: "app", image: "app:2" }] },
  });
  const upsertPod = (objects: FleetObjects, cluster: string, p: MemberObject) => {
    objects.upsert(pods, cluster, p);
    compactPod(p);
  };
  const servedOwner = (keyspace: FleetKeyspace, name: string) =>
    JSON.parse(keyspace.get(`/registry/pods/shop/${name}`)!.value).metadata.ownerReferences[0];

  it("a member pod of a fleet Deployment names the fleet ReplicaSet as its controller, whichever arrives first", () => {
    let now = 1;
    const keyspace = new FleetKeyspace({ clockMicros: () => now++, windowSize: 100 });
    const objects = new FleetObjects(keyspace, () => 0);
    const rs = { ...memberRs("idc-1", template, 2, 2, "1").rs };
    rs.metadata = { ...rs.metadata, uid: "member-rs-uid" } as typeof rs.metadata;
    const fleetRs = `web-${templateHash(template).slice(0, 10)}`;
    // The pod first: until its ReplicaSet and workload are known it names the member's.
    upsertPod(objects, "idc-1", pod("web-a", owner("ReplicaSet", rs.metadata.name, "member-rs-uid")));
    upsertPod(objects, "idc-1", pod("mine", owner("ReplicaSet", "theirs", "their-uid")));
    expect(servedOwner(keyspace, "web-a").uid).toBe("member-rs-uid");
    objects.upsert(replicasets, "idc-1", rs);
    objects.upsert(deployments, HOST, { metadata: { name: "web", namespace: "shop", uid: "host-uid" }, spec: deployment.spec });
    const fleetUid = JSON.parse(keyspace.get(`/registry/replicasets/shop/${fleetRs}`)!.value).metadata.uid;
    expect(servedOwner(keyspace, "web-a")).toEqual(owner("ReplicaSet", fleetRs, fleetUid));
    // Served again under its new owner from what the fleet stored, not from the shrunk cache entry.
    const whole = JSON.parse(keyspace.get("/registry/pods/shop/web-a")!.value);
    expect(whole.metadata.annotations).toEqual({ note: "whole" });
    expect(whole.spec.containers[0].image).toBe("app:2");
    // A pod of a member's own ReplicaSet is served as it is.
    expect(servedOwner(keyspace, "mine")).toEqual(owner("ReplicaSet", "theirs", "their-uid"));
    // A write through the fleet (a label added) goes back naming the member's ReplicaSet: never orphaned there.
    const holding = objects.holding("/registry/pods/shop/web-a")!;
    const written = JSON.parse(keyspace.get("/registry/pods/shop/web-a")!.value);
    written.metadata.labels = { tier: "web" };
    expect(decodeForMember(written, holding).metadata!.ownerReferences).toEqual([owner("ReplicaSet", rs.metadata.name, "member-rs-uid")]);
    // The workload gone: the pod names its member's ReplicaSet again.
    objects.remove(deployments, HOST, "shop", "web");
    expect(servedOwner(keyspace, "web-a").uid).toBe("member-rs-uid");
  });

  it("a member pod of a fleet StatefulSet names the fleet StatefulSet (its fleet uid)", () => {
    let now = 1;
    const keyspace = new FleetKeyspace({ clockMicros: () => now++, windowSize: 100 });
    const objects = new FleetObjects(keyspace, () => 0);
    upsertPod(objects, "cloud-1", pod("db-3", owner("StatefulSet", "db", "member-sts-uid")));
    objects.upsert(statefulsets, HOST, {
      metadata: { name: "db", namespace: "shop", uid: "host-sts-uid", annotations: { "spillway.dev/fleet-uid": "fleet-sts-uid" } },
      spec: { replicas: 4, selector: { matchLabels: { app: "db" } }, template: { metadata: { labels: { app: "db" } } } },
    });
    expect(servedOwner(keyspace, "db-3")).toEqual(owner("StatefulSet", "db", "fleet-sts-uid"));
    expect(JSON.parse(keyspace.get("/registry/pods/shop/db-3")!.value).spec.containers[0].image).toBe("app:2");
  });

  it("a chart's test Pod goes to the best-ranked member running ready pods of the namespace's fleet Deployments", () => {
    const keyspace = new FleetKeyspace({ clockMicros: () => 1, windowSize: 100 });
    const objects = new FleetObjects(keyspace, (c) => (c.startsWith("idc") ? 0 : 1));
    objects.upsert(deployments, HOST, { metadata: { name: "web", namespace: "shop", uid: "host-uid" }, spec: deployment.spec });
    objects.upsert(replicasets, "cloud-1", memberRs("cloud-1", template, 2, 2, "1").rs);
    expect(objects.testHookMember("shop")).toBe("cloud-1");
    objects.upsert(replicasets, "idc-2", memberRs("idc-2", template, 1, 0, "1").rs);
    expect(objects.testHookMember("shop")).toBe("cloud-1");
    objects.upsert(replicasets, "idc-2", memberRs("idc-2", template, 1, 1, "1").rs);
    expect(objects.testHookMember("shop")).toBe("idc-2");
    expect(objects.testHookMember("other")).toBeUndefined();
  });
});
