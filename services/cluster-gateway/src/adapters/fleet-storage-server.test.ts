import { describe, expect, it } from "@jest/globals";
import * as grpc from "@grpc/grpc-js";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { fleetResources } from "@spillway/api";
import {
  Compare_CompareResult,
  Compare_CompareTarget,
  RangeRequestSchema,
  TxnRequestSchema,
  WatchRequestSchema,
  type WatchRequest,
  type WatchResponseSchema,
} from "@spillway/proto/etcd";
import { createLogger } from "@spillway/telemetry";
import { FleetKeyspace, prefixEnd } from "../core/fleet-keyspace.ts";
import { FleetObjects, type Holding, type MemberObject } from "../core/fleet-objects.ts";
import type { MemberCall } from "../core/member-call.ts";
import { FleetStorage } from "./fleet-storage-server.ts";
import type { MemberCaller, WriteResult } from "./member-caller.ts";

const pods = fleetResources.find((r) => r.resource === "pods")!;
const enc = (s: string) => Buffer.from(s, "latin1");

/** A member writer that records what it was asked and answers like a member would. */
class FakeWriter {
  calls: Array<{ cluster: string; writes: MemberCall[] }> = [];
  answer: (h: Holding, w: MemberCall[]) => WriteResult = (h, writes) => {
    const last = writes[writes.length - 1]!;
    if (last.verb === "delete") return { deleted: true };
    const rv = String(Number(h.object.metadata?.resourceVersion ?? "0") + 1);
    return { object: { ...last.body, metadata: { ...last.body.metadata, resourceVersion: rv } } };
  };
  async apply(h: Holding, writes: MemberCall[]): Promise<WriteResult> {
    this.calls.push({ cluster: h.cluster, writes });
    return this.answer(h, writes);
  }
  created: Array<{ cluster: string; body: MemberObject }> = [];
  async create(cluster: string, _r: unknown, _ns: string, body: MemberObject): Promise<MemberObject> {
    this.created.push({ cluster, body });
    return { ...body, metadata: { ...body.metadata, uid: "member-uid", resourceVersion: "1" } };
  }
}

function setup() {
  let now = 1_000;
  const keyspace = new FleetKeyspace({ clockMicros: () => now++, windowSize: 100 });
  const objects = new FleetObjects(keyspace, (c) => (c.startsWith("idc") ? 0 : 1));
  const writer = new FakeWriter();
  const storage = new FleetStorage(keyspace, objects, writer as unknown as MemberCaller, createLogger("test", "silent"), {
    progressIntervalMs: 60_000,
    readOnlyNamespaces: ["kube-system"],
  });
  const pod = (cluster: string, name: string, namespace = "web", extra: MemberObject = {}) =>
    objects.upsert(pods, cluster, { metadata: { name, namespace, uid: `${cluster}-${name}`, resourceVersion: "5" }, ...extra });
  return { keyspace, objects, writer, storage, pod };
}

const range = (key: string, end?: string, extra: object = {}) =>
  create(RangeRequestSchema, { key: enc(key), ...(end ? { rangeEnd: enc(end) } : {}), ...extra });

/** kube-apiserver's one transaction shape: compare the mod revision, then put or delete, else read. */
function txn(key: string, modRevision: number, op: { put: string; lease?: bigint } | "delete") {
  return create(TxnRequestSchema, {
    compare: [
      {
        key: enc(key),
        target: Compare_CompareTarget.MOD,
        result: Compare_CompareResult.EQUAL,
        targetUnion: { case: "modRevision", value: BigInt(modRevision) },
      },
    ],
    success: [
      op === "delete"
        ? { request: { case: "requestDeleteRange", value: { key: enc(key) } } }
        : { request: { case: "requestPut", value: { key: enc(key), value: Buffer.from(op.put), lease: op.lease ?? 0n } } },
    ],
    failure: [{ request: { case: "requestRange", value: { key: enc(key) } } }],
  });
}

describe("FleetStorage (etcd's API over the fleet keyspace)", () => {
  it("ranges a prefix with limit and count, and answers etcd's compacted error for lost history", () => {
    const { storage, pod, keyspace } = setup();
    for (const n of ["a", "b", "c"]) pod("idc-1", n);
    const r = storage.range(range("/registry/pods/web/", prefixEnd("/registry/pods/web/"), { limit: 2n }));
    expect(r.kvs!.map((kv) => Buffer.from(kv.key as Uint8Array).toString())).toEqual(["/registry/pods/web/a", "/registry/pods/web/b"]);
    expect(r).toMatchObject({ more: true, count: 3n, header: { revision: BigInt(keyspace.revision) } });
    expect(() => storage.range(range("/registry/pods/web/a", undefined, { revision: 1n }))).toThrow(
      expect.objectContaining({ grpcCode: grpc.status.OUT_OF_RANGE, message: "etcdserver: mvcc: required revision has been compacted" }),
    );
  });

  it("a put on a member object goes to its member under the member's name, and moves the key's revision", async () => {
    const { storage, pod, keyspace, writer } = setup();
    pod("idc-1", "a");
    pod("cloud-1", "a");
    const key = "/registry/pods/web/a.cloud-1";
    const before = keyspace.get(key)!;
    const next = JSON.parse(before.value) as MemberObject;
    next.metadata!.labels = { ...next.metadata!.labels, tier: "gold" };
    const res = await storage.txn(txn(key, before.modRevision, { put: JSON.stringify(next) }));
    expect(res.succeeded).toBe(true);
    expect(writer.calls).toHaveLength(1);
    expect(writer.calls[0]!.cluster).toBe("cloud-1");
    expect(writer.calls[0]!.writes[0]).toMatchObject({
      verb: "update",
      body: { metadata: { name: "a", resourceVersion: "5", labels: { tier: "gold" } } },
    });
    expect(keyspace.get(key)!.modRevision).toBe(Number(res.header!.revision));
    expect(JSON.parse(keyspace.get(key)!.value).metadata.labels.tier).toBe("gold");
  });

  it("a stale revision fails the compare and hands back the current value; nothing reaches the member", async () => {
    const { storage, pod, keyspace, writer } = setup();
    pod("idc-1", "a");
    const current = keyspace.get("/registry/pods/web/a")!;
    const res = await storage.txn(txn("/registry/pods/web/a", current.modRevision - 1, "delete"));
    expect(res.succeeded).toBe(false);
    const kvs = (res.responses![0]!.response as { value: { kvs: Array<{ modRevision: bigint }> } }).value.kvs;
    expect(kvs[0]!.modRevision).toBe(BigInt(current.modRevision));
    expect(writer.calls).toHaveLength(0);
  });

  it("a member's 409 is a failed compare (kube-apiserver rereads); a 404 removes the object", async () => {
    const { storage, pod, keyspace, writer } = setup();
    pod("idc-1", "a");
    pod("idc-1", "b");
    writer.answer = () => {
      throw Object.assign(new Error("conflict"), { code: 409 });
    };
    const a = keyspace.get("/registry/pods/web/a")!;
    expect((await storage.txn(txn(a.key, a.modRevision, "delete"))).succeeded).toBe(false);
    writer.answer = () => {
      throw Object.assign(new Error("gone"), { code: 404 });
    };
    const b = keyspace.get("/registry/pods/web/b")!;
    expect((await storage.txn(txn(b.key, b.modRevision, "delete"))).succeeded).toBe(false);
    expect(keyspace.get(b.key)).toBeUndefined();
  });

  it("refuses a bare Pod saying what to create instead, and writes in members' system namespaces", async () => {
    const { storage, pod, keyspace, writer } = setup();
    await expect(storage.txn(txn("/registry/pods/web/new", 0, { put: "{}" }))).rejects.toMatchObject({
      grpcCode: grpc.status.FAILED_PRECONDITION,
      message: expect.stringContaining("create a Deployment or StatefulSet through the fleet"),
    });
    expect(writer.created).toEqual([]);
    pod("idc-1", "coredns", "kube-system");
    const kv = keyspace.get("/registry/pods/kube-system/coredns")!;
    await expect(storage.txn(txn(kv.key, kv.modRevision, "delete"))).rejects.toMatchObject({ grpcCode: grpc.status.PERMISSION_DENIED });
  });

  it("creates a chart's test Pod once, in the best-ranked member running the namespace's fleet workloads", async () => {
    const { storage, objects, keyspace, writer } = setup();
    const testPod = JSON.stringify({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "web-test", namespace: "web", uid: "fleet-uid", annotations: { "helm.sh/hook": "test" } },
      spec: { restartPolicy: "Never", containers: [{ name: "t", image: "curl" }] },
    });
    // No member runs a fleet workload of the namespace yet: refused, saying why.
    await expect(storage.txn(txn("/registry/pods/web/web-test", 0, { put: testPod }))).rejects.toMatchObject({
      grpcCode: grpc.status.FAILED_PRECONDITION,
      message: expect.stringContaining("no member runs ready pods of a fleet Deployment in web"),
    });
    const deployments = fleetResources.find((r) => r.resource === "deployments")!;
    const replicasets = fleetResources.find((r) => r.resource === "replicasets")!;
    objects.upsert(deployments, "", { metadata: { name: "app", namespace: "web", uid: "d" }, spec: { template: {} } });
    for (const [cluster, ready] of [
      ["cloud-1", 3],
      ["idc-1", 1],
    ] as const)
      objects.upsert(replicasets, cluster, {
        metadata: {
          name: `app-${cluster}`,
          namespace: "web",
          annotations: { "spillway.dev/federated-deployment": "web/app", "spillway.dev/fleet-template-hash": "abc" },
        },
        status: { readyReplicas: ready },
      });
    expect((await storage.txn(txn("/registry/pods/web/web-test", 0, { put: testPod }))).succeeded).toBe(true);
    expect(writer.created.map((c) => [c.cluster, c.body.metadata?.uid])).toEqual([["idc-1", undefined]]);
    expect(JSON.parse(keyspace.get("/registry/pods/web/web-test")!.value).metadata).toMatchObject({
      uid: "member-uid",
      labels: { "spillway.dev/cluster": "idc-1" },
    });
  });

  it("bookkeeping keys put with a lease go when it runs out; compaction when asked; status counts what is held", async () => {
    const { storage, keyspace } = setup();
    const { ID } = storage.leaseGrant(60n, 0);
    expect((await storage.txn(txn("/registry/ranges/ttl", 0, { put: "{}", lease: ID }))).succeeded).toBe(true);
    expect((await storage.txn(txn("/registry/ranges/kept", 0, { put: "{}" }))).succeeded).toBe(true);
    storage.expireLeases(59_000);
    expect(keyspace.get("/registry/ranges/ttl")).toBeDefined();
    storage.expireLeases(60_000);
    expect(keyspace.get("/registry/ranges/ttl")).toBeUndefined();
    expect(keyspace.get("/registry/ranges/kept")).toBeDefined();
    await expect(storage.txn(txn("/registry/ranges/x", 0, { put: "{}", lease: 99n }))).rejects.toMatchObject({
      grpcCode: grpc.status.NOT_FOUND,
    });

    expect(Number(storage.status().dbSize)).toBe(keyspace.bytes);
    const now = BigInt(keyspace.revision);
    storage.compact(now);
    expect(keyspace.compactRevision).toBe(Number(now));
    expect(() => storage.compact(now)).toThrow(expect.objectContaining({ grpcCode: grpc.status.OUT_OF_RANGE }));
    expect(() => storage.compact(now + 10n)).toThrow("future revision");
  });

  it("keeps the fleet API server's own bookkeeping (not a member kind) in the keyspace only", async () => {
    const { storage, keyspace, writer } = setup();
    const key = "/registry/ranges/serviceips";
    expect((await storage.txn(txn(key, 0, { put: '{"range":"10.96.0.0/16"}' }))).succeeded).toBe(true);
    const kv = keyspace.get(key)!;
    expect((await storage.txn(txn(key, kv.modRevision, { put: '{"range":"10.96.0.0/16"}' }))).succeeded).toBe(true);
    expect(keyspace.get(key)!.modRevision).toBeGreaterThan(kv.modRevision);
    expect((await storage.txn(txn(key, keyspace.get(key)!.modRevision, "delete"))).succeeded).toBe(true);
    expect(keyspace.get(key)).toBeUndefined();
    expect(writer.calls).toHaveLength(0);
  });

  it("refuses a kind the fleet API does not keep, rather than keeping it where a restart would lose it", async () => {
    const { storage, keyspace } = setup();
    const key = "/registry/poddisruptionbudgets/shop/web";
    await expect(storage.txn(txn(key, 0, { put: "{}" }))).rejects.toMatchObject({
      grpcCode: grpc.status.FAILED_PRECONDITION,
      message: expect.stringContaining("poddisruptionbudgets are not kept by the fleet API"),
    });
    await expect(storage.txn(txn("/registry/gateway.networking.k8s.io/httproutes/shop/web", 0, { put: "{}" }))).rejects.toMatchObject({
      message: expect.stringContaining("httproutes.gateway.networking.k8s.io are not kept"),
    });
    expect(keyspace.get(key)).toBeUndefined();
  });

  it("watch: created, the backlog from the start revision, live changes, progress, and compacted starts cancelled", async () => {
    const { storage, pod, keyspace } = setup();
    pod("idc-1", "a");
    const from = keyspace.revision + 1;
    pod("idc-1", "b");
    const requests: WatchRequest[] = [];
    let wake: (() => void) | undefined;
    const sent: Array<MessageInitShape<typeof WatchResponseSchema>> = [];
    let ended = false;
    const stream = {
      requests: (async function* () {
        for (;;) {
          while (requests.length) yield requests.shift()!;
          if (ended) return;
          await new Promise<void>((r) => (wake = r));
        }
      })(),
      send: (r: MessageInitShape<typeof WatchResponseSchema>) => sent.push(r),
      signal: new AbortController().signal,
    };
    const push = (r: MessageInitShape<typeof WatchRequestSchema>) => {
      requests.push(create(WatchRequestSchema, r));
      wake?.();
    };
    const done = storage.watch(stream);
    const prefix = "/registry/pods/web/";
    push({
      requestUnion: {
        case: "createRequest",
        value: { key: enc(prefix), rangeEnd: enc(prefixEnd(prefix)), startRevision: BigInt(from), prevKv: true },
      },
    });
    await new Promise((r) => setImmediate(r));
    expect(sent[0]).toMatchObject({ created: true, watchId: 1n });
    const keysOf = (r: MessageInitShape<typeof WatchResponseSchema>) =>
      (r.events ?? []).map((e) => Buffer.from(e.kv!.key as Uint8Array).toString());
    expect(keysOf(sent[1]!)).toEqual([`${prefix}b`]);
    pod("idc-1", "c");
    expect(keysOf(sent[2]!)).toEqual([`${prefix}c`]);
    push({ requestUnion: { case: "progressRequest", value: {} } });
    push({ requestUnion: { case: "createRequest", value: { key: enc(prefix), rangeEnd: enc(prefixEnd(prefix)), startRevision: 5n } } });
    await new Promise((r) => setImmediate(r));
    expect(sent.find((r) => r.watchId === -1n)).toMatchObject({ header: { revision: BigInt(keyspace.revision) } });
    expect(sent.find((r) => r.canceled)).toMatchObject({ watchId: 2n, compactRevision: BigInt(keyspace.compactRevision) });
    ended = true;
    wake?.();
    await done;
  });
});

describe("FleetStorage: fleet-level objects live on the host (ADR 0009)", () => {
  const deployments = fleetResources.find((r) => r.resource === "deployments")!;
  const template = { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "app", image: "app:1" }] } };

  /** The host, as far as the storage writes to it: FederatedDeployments by name. */
  class FakeHost {
    objects = new Map<string, MemberObject>();
    calls: string[] = [];
    private rv = 100;
    async create(_r: unknown, ns: string, body: MemberObject) {
      this.calls.push(`create ${body.kind} ${ns}/${body.metadata!.name}`);
      const o = { ...body, metadata: { ...body.metadata, uid: "host-uid", resourceVersion: String(++this.rv), generation: 1 } };
      this.objects.set(body.metadata!.name!, o);
      return o;
    }
    async replace(_r: unknown, ns: string, name: string, body: MemberObject) {
      this.calls.push(`replace ${body.kind} ${ns}/${name}@${body.metadata!.resourceVersion}`);
      const o = { ...body, metadata: { ...body.metadata, uid: "host-uid", resourceVersion: String(++this.rv), generation: 2 } };
      this.objects.set(name, o);
      return o;
    }
    async delete(_r: unknown, ns: string, name: string) {
      this.calls.push(`delete ${ns}/${name}`);
      this.objects.delete(name);
      return { deleted: true as const };
    }
  }

  function hostSetup() {
    let now = 1_000;
    const keyspace = new FleetKeyspace({ clockMicros: () => now++, windowSize: 100 });
    const objects = new FleetObjects(keyspace, () => 0);
    const host = new FakeHost();
    const storage = new FleetStorage(
      keyspace,
      objects,
      new FakeWriter() as unknown as MemberCaller,
      createLogger("test", "silent"),
      { progressIntervalMs: 60_000, readOnlyNamespaces: ["kube-system"] },
      host as never,
    );
    return { keyspace, objects, host, storage };
  }

  const deployment = (extra: object = {}) =>
    JSON.stringify({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "shop", uid: "fleet-uid" },
      spec: { replicas: 2, template },
      ...extra,
    });

  it("a create of a Deployment is a FederatedDeployment on the host, served back as the Deployment at the answered revision", async () => {
    const { storage, host, keyspace } = hostSetup();
    const key = "/registry/deployments/shop/web";
    const res = await storage.txn(txn(key, 0, { put: deployment() }));
    expect(res.succeeded).toBe(true);
    expect(host.calls).toEqual(["create FederatedDeployment shop/web"]);
    expect(host.objects.get("web")!.metadata!.annotations).toEqual({ "spillway.dev/fleet-uid": "fleet-uid" });
    const served = keyspace.get(key)!;
    expect(served.modRevision).toBe(Number(res.header!.revision));
    expect(JSON.parse(served.value)).toMatchObject({
      kind: "Deployment",
      metadata: { name: "web", uid: "fleet-uid" },
      spec: { replicas: 2 },
    });
  });

  it("an update goes to the host object under its own version; a delete deletes it; Spillway's member copies are never served", async () => {
    const { storage, host, keyspace, objects } = hostSetup();
    const key = "/registry/deployments/shop/web";
    await storage.txn(txn(key, 0, { put: deployment() }));
    // The member copy fleet-root made is the same workload: not a second Deployment.
    objects.upsert(deployments, "idc-1", {
      metadata: { name: "web", namespace: "shop", labels: { "spillway.dev/managed-by": "fleet-root" } },
    });
    const next = JSON.parse(keyspace.get(key)!.value);
    next.spec.replicas = 5;
    const res = await storage.txn(txn(key, keyspace.get(key)!.modRevision, { put: JSON.stringify(next) }));
    expect(res.succeeded).toBe(true);
    expect(host.calls[1]).toBe("replace FederatedDeployment shop/web@101");
    expect((host.objects.get("web")!.spec as { replicas: number }).replicas).toBe(5);
    expect(await storage.txn(txn(key, keyspace.get(key)!.modRevision, "delete"))).toMatchObject({ succeeded: true });
    expect(host.calls[2]).toBe("delete shop/web");
    expect(keyspace.get(key)).toBeUndefined();
  });

  it("refuses what cannot hold fleet-wide, and kinds the fleet does not run, writing nothing", async () => {
    const { storage, host } = hostSetup();
    const pinned = deployment({ spec: { replicas: 1, template: { ...template, spec: { ...template.spec, nodeName: "n1" } } } });
    await expect(storage.txn(txn("/registry/deployments/shop/web", 0, { put: pinned }))).rejects.toMatchObject({
      grpcCode: grpc.status.INVALID_ARGUMENT,
      message: expect.stringContaining("nodeName pins every pod"),
    });
    await expect(storage.txn(txn("/registry/daemonsets/shop/agent", 0, { put: "{}" }))).rejects.toMatchObject({
      grpcCode: grpc.status.FAILED_PRECONDITION,
      message: expect.stringContaining("create it in each member that needs it"),
    });
    expect(host.calls).toEqual([]);
  });

  it("the host's own kinds are served as they are: a namespace made through the fleet is made on the host", async () => {
    const { storage, host, keyspace } = hostSetup();
    const key = "/registry/namespaces/shop";
    const ns = { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop", uid: "fleet-uid" }, spec: { finalizers: ["kubernetes"] } };
    expect((await storage.txn(txn(key, 0, { put: JSON.stringify(ns) }))).succeeded).toBe(true);
    expect(host.calls).toEqual(["create Namespace undefined/shop"]);
    expect(JSON.parse(keyspace.get(key)!.value)).toMatchObject({ kind: "Namespace", metadata: { name: "shop", uid: "host-uid" } });
    // A FederatedDeployment is served both as itself and as the Deployment it stands for.
    const fd = fleetResources.find((r) => r.resource === "federateddeployments")!;
    expect(fd.storagePrefix).toBe("spillway.dev/federateddeployments");
  });

  it("read-only host kinds: a change is refused naming where to make it; a status write the host already holds passes", async () => {
    const { storage, host, keyspace, objects } = hostSetup();
    const crds = fleetResources.find((r) => r.resource === "customresourcedefinitions")!;
    const crd = {
      metadata: { name: "federateddeployments.spillway.dev", uid: "u1", resourceVersion: "7" },
      spec: { group: "spillway.dev", names: { plural: "federateddeployments" } },
      status: { conditions: [{ type: "Established", status: "True" }] },
    };
    objects.upsert(crds, "", crd);
    const key = "/registry/apiextensions.k8s.io/customresourcedefinitions/federateddeployments.spillway.dev";
    const served = keyspace.get(key)!;
    const stored = JSON.parse(served.value);
    // The fleet API server's own CRD controllers write the status the host's have written.
    const statusOnly = { ...stored, status: { conditions: [{ type: "Established", status: "True", reason: "InitialNamesAccepted" }] } };
    expect((await storage.txn(txn(key, served.modRevision, { put: JSON.stringify(statusOnly) }))).succeeded).toBe(true);
    const changed = { ...stored, spec: { ...stored.spec, group: "example.com" } };
    await expect(storage.txn(txn(key, keyspace.get(key)!.modRevision, { put: JSON.stringify(changed) }))).rejects.toMatchObject({
      grpcCode: grpc.status.PERMISSION_DENIED,
      message: expect.stringContaining("CustomResourceDefinitions are installed on the host"),
    });
    await expect(storage.txn(txn(key, keyspace.get(key)!.modRevision, "delete"))).rejects.toMatchObject({
      grpcCode: grpc.status.PERMISSION_DENIED,
    });
    expect(host.calls).toEqual([]);
  });
});
