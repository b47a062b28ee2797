import { describe, expect, it } from "@jest/globals";
import { FleetKeyspace, prefixEnd } from "./fleet-keyspace.ts";
import { clusterLabel } from "@spillway/api";
import { decodeForMember, FleetObjects, type MemberObject } from "./fleet-objects.ts";
import { compactPod } from "./cached-pod.ts";
import { fleetResources, resourceOfKey, storageKey } from "@spillway/api";

const pods = fleetResources.find((r) => r.resource === "pods")!;
const nodes = fleetResources.find((r) => r.resource === "nodes")!;
const rank = (c: string) => (c.startsWith("idc") ? 0 : 1);

function fleet() {
  let now = 0;
  const ks = new FleetKeyspace({ clockMicros: () => now++, windowSize: 1000 });
  const events: string[] = [];
  ks.subscribe((c) => events.push(`${c.kv ? "put" : "delete"} ${c.key}`));
  return { ks, objects: new FleetObjects(ks, rank), events };
}

const pod = (name: string, uid: string, extra: MemberObject = {}): MemberObject => ({
  metadata: { name, namespace: "web", uid, resourceVersion: "17", labels: { app: "web" } },
  spec: { nodeName: "n1" },
  ...extra,
});

const served = (ks: FleetKeyspace) =>
  Object.fromEntries(ks.range("/registry/", { end: prefixEnd("/registry/") }).kvs.map((kv) => [kv.key, JSON.parse(kv.value)]));

describe("FleetObjects", () => {
  it("serves a member object typed, labelled with its cluster, without the member's resourceVersion", () => {
    const { ks, objects } = fleet();
    objects.upsert(pods, "idc-1", pod("a", "u1"));
    objects.upsert(nodes, "idc-1", { metadata: { name: "n1", uid: "n" } });
    expect(served(ks)).toEqual({
      "/registry/pods/web/a": {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "a", namespace: "web", uid: "u1", labels: { app: "web", [clusterLabel]: "idc-1" } },
        spec: { nodeName: "n1" },
      },
      "/registry/minions/n1": { apiVersion: "v1", kind: "Node", metadata: { name: "n1", uid: "n", labels: { [clusterLabel]: "idc-1" } } },
    });
  });

  it("a name in two members: the best-ranked keeps it, the other is <name>.<cluster>; nothing is lost", () => {
    const { ks, objects, events } = fleet();
    objects.upsert(pods, "cloud-1", pod("a", "c"));
    expect(Object.keys(served(ks))).toEqual(["/registry/pods/web/a"]);
    // IDC arrives with the same name: the cloud object moves to its suffixed key, deleted first.
    objects.upsert(pods, "idc-1", pod("a", "i"));
    const now = served(ks);
    expect(Object.keys(now).sort()).toEqual(["/registry/pods/web/a", "/registry/pods/web/a.cloud-1"]);
    expect(now["/registry/pods/web/a"].metadata.uid).toBe("i");
    expect(now["/registry/pods/web/a.cloud-1"].metadata).toMatchObject({ uid: "c", name: "a.cloud-1" });
    expect(events).toEqual([
      "put /registry/pods/web/a",
      "delete /registry/pods/web/a",
      "put /registry/pods/web/a",
      "put /registry/pods/web/a.cloud-1",
    ]);
    expect(objects.holding("/registry/pods/web/a.cloud-1")).toMatchObject({ cluster: "cloud-1", name: "a" });
    // IDC's object goes: the name passes back to cloud's.
    objects.remove(pods, "idc-1", "web", "a");
    expect(Object.keys(served(ks))).toEqual(["/registry/pods/web/a"]);
    expect(served(ks)["/registry/pods/web/a"].metadata.uid).toBe("c");
  });

  it("serves a whole object after its member's cache shrank it: renamed, passed on, and read back for a write", () => {
    const { ks, objects } = fleet();
    const full = () =>
      pod("a", "c", {
        spec: { nodeName: "n1", containers: [{ name: "app", image: "app:1", env: [{ name: "MODE", value: "x" }] }] },
        status: { phase: "Running", podIP: "10.0.0.7" },
      });
    const cloud = full();
    objects.upsert(pods, "cloud-1", cloud);
    compactPod(cloud);
    const whole = served(ks)["/registry/pods/web/a"];
    expect(whole.status.podIP).toBe("10.0.0.7");
    // IDC takes the name: cloud's pod moves to a.cloud-1, whole; and back when IDC's goes.
    objects.upsert(pods, "idc-1", pod("a", "i"));
    expect(served(ks)["/registry/pods/web/a.cloud-1"]).toEqual({ ...whole, metadata: { ...whole.metadata, name: "a.cloud-1" } });
    objects.remove(pods, "idc-1", "web", "a");
    expect(served(ks)["/registry/pods/web/a"]).toEqual(whole);
    // A write compares against the whole member object, not the cache's.
    const { resourceVersion: _rv, ...meta } = full().metadata!;
    expect(objects.memberObject("/registry/pods/web/a")).toEqual({
      ...full(),
      apiVersion: "v1",
      kind: "Pod",
      metadata: { ...meta, resourceVersion: "17" },
    });
  });

  it("when the ranking changes, a shared name passes to the member that now ranks best, and nothing else moves", () => {
    let order: Record<string, number> = {};
    let now = 0;
    const ks = new FleetKeyspace({ clockMicros: () => now++, windowSize: 1000 });
    const events: string[] = [];
    ks.subscribe((c) => events.push(`${c.kv ? "put" : "delete"} ${c.key}`));
    // Before the gateway knows the members, every rank ties and names go alphabetically.
    const objects = new FleetObjects(ks, (c) => order[c] ?? 0);
    objects.upsert(pods, "cloud-1", pod("a", "c"));
    objects.upsert(pods, "idc-1", pod("a", "i"));
    objects.upsert(pods, "idc-1", pod("only-idc", "o"));
    expect(served(ks)["/registry/pods/web/a"].metadata.uid).toBe("c");
    events.length = 0;
    order = { "idc-1": 0, "cloud-1": 1 };
    objects.rerank();
    expect(served(ks)["/registry/pods/web/a"].metadata.uid).toBe("i");
    expect(served(ks)["/registry/pods/web/a.cloud-1"].metadata.uid).toBe("c");
    expect(events).toEqual([
      "delete /registry/pods/web/a",
      "delete /registry/pods/web/a.idc-1",
      "put /registry/pods/web/a",
      "put /registry/pods/web/a.cloud-1",
    ]);
    events.length = 0;
    objects.rerank();
    expect(events).toEqual([]);
  });

  it("a change to one member's object leaves the other's key untouched", () => {
    const { objects, events } = fleet();
    objects.upsert(pods, "idc-1", pod("a", "i"));
    objects.upsert(pods, "cloud-1", pod("a", "c"));
    events.length = 0;
    objects.upsert(pods, "cloud-1", pod("a", "c", { status: { phase: "Running" } }));
    expect(events).toEqual(["put /registry/pods/web/a.cloud-1"]);
  });

  it("a member that leaves takes its objects with it, and resyncs list what it held", () => {
    const { ks, objects } = fleet();
    objects.upsert(pods, "idc-1", pod("a", "i"));
    objects.upsert(pods, "cloud-1", pod("b", "c"));
    objects.upsert(nodes, "cloud-1", { metadata: { name: "n9" } });
    expect(objects.heldBy(pods, "cloud-1")).toEqual([{ namespace: "web", name: "b" }]);
    objects.removeCluster(fleetResources, "cloud-1");
    expect(Object.keys(served(ks))).toEqual(["/registry/pods/web/a"]);
  });

  it("refuses an object without a name or namespace, with the cluster in the message", () => {
    const { objects } = fleet();
    expect(() => objects.upsert(pods, "idc-1", { metadata: { namespace: "x" } })).toThrow("a Pod from idc-1 has no metadata.name");
    expect(() => objects.upsert(pods, "idc-1", { metadata: { name: "x" } })).toThrow("Pod x from idc-1 has no namespace");
  });

  it("turns a fleet object back into the member's: its name, its resourceVersion, no fleet label, no managedFields", () => {
    const { objects } = fleet();
    objects.upsert(pods, "idc-1", pod("a", "i"));
    objects.upsert(pods, "cloud-1", pod("a", "c"));
    const h = objects.holding("/registry/pods/web/a.cloud-1")!;
    const fleetView = {
      metadata: { name: "a.cloud-1", namespace: "web", uid: "c", managedFields: [{}], labels: { app: "v2", [clusterLabel]: "cloud-1" } },
      spec: { nodeName: "n1" },
    };
    expect(decodeForMember(fleetView, h)).toEqual({
      metadata: { name: "a", namespace: "web", uid: "c", resourceVersion: "17", labels: { app: "v2" } },
      spec: { nodeName: "n1" },
    });
  });
});

describe("fleet resources", () => {
  it("finds a key's resource by kube-apiserver's storage prefix", () => {
    expect(resourceOfKey("/registry/services/specs/web/api")?.resource).toBe("services");
    expect(resourceOfKey("/registry/minions/n1")?.resource).toBe("nodes");
    expect(resourceOfKey("/registry/deployments/web/api")?.group).toBe("apps");
    expect(resourceOfKey("/registry/leases/web/x")).toBeUndefined();
    expect(storageKey(nodes, "ignored", "n1")).toBe("/registry/minions/n1");
  });
});
