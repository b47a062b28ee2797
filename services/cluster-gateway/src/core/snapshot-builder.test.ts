import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { BARE_POD, SnapshotBuilder, type NodeInfo, type PodInfo } from "./snapshot-builder.ts";

const node = (name: string, cpu = 16000, extra: Partial<NodeInfo> = {}): NodeInfo => ({
  name,
  labels: { "kubernetes.io/hostname": name },
  taints: [],
  allocatable: { cpu, memory: 64 * 2 ** 30, pods: 110 },
  ready: true,
  unschedulable: false,
  ...extra,
});

const pod = (uid: string, nodeName: string | undefined, cpu: number, extra: Partial<PodInfo> = {}): PodInfo => ({
  uid,
  namespace: "shop",
  nodeName,
  requests: { cpu },
  terminated: false,
  unschedulableSinceMs: undefined,
  ownerKind: "ReplicaSet",
  ownerName: "web-1",
  ...extra,
});

describe("SnapshotBuilder", () => {
  it("subtracts the requests of pods bound to a node from its free resources", () => {
    const b = new SnapshotBuilder("idc-1");
    b.upsertNode(node("n1"));
    b.upsertPod(pod("a", "n1", 4000));
    b.upsertPod(pod("b", "n1", 2500));
    const s = b.snapshot(0);
    expect(s.nodes[0]).toMatchObject({ name: "n1", free: { cpu: 9500, memory: 64 * 2 ** 30 }, podCount: 2, maxPods: 110 });
    expect(b.totals()).toEqual({ nodeCount: 1, allocatable: { cpu: 16000, memory: 64 * 2 ** 30, pods: 110 }, requested: { cpu: 6500 } });
  });

  it("counts bound, running pods per owner", () => {
    const b = new SnapshotBuilder("idc-1");
    b.upsertNode(node("n1"));
    b.upsertPod(pod("a", "n1", 1000));
    b.upsertPod(pod("b", "n1", 1000));
    b.upsertPod(pod("c", undefined, 1000));
    b.upsertPod(pod("d", "n1", 1000, { ownerName: "api-1", terminated: true }));
    expect(b.snapshot(0).owners).toEqual([{ namespace: "shop", ownerKind: "ReplicaSet", ownerName: "web-1", bound: 2 }]);
    b.deletePod("a");
    b.deletePod("b");
    expect(b.snapshot(0).owners).toEqual([]);
  });

  it("lists owners in namespace/kind/name order, and bare pods take room but are no owner", () => {
    const b = new SnapshotBuilder("idc-1");
    b.upsertNode(node("n1"));
    b.upsertPod(pod("a", "n1", 1000, { namespace: "web", ownerKind: "StatefulSet", ownerName: "db" }));
    b.upsertPod(pod("b", "n1", 1000, { namespace: "shop", ownerName: "web-2" }));
    b.upsertPod(pod("c", "n1", 1000, { namespace: "shop", ownerKind: "Job", ownerName: "zz" }));
    b.upsertPod(pod("d", "n1", 1000));
    b.upsertPod(pod("e", "n1", 1000, { ownerKind: BARE_POD, ownerName: "e" }));
    const s = b.snapshot(0);
    expect(s.owners.map((o) => `${o.namespace}/${o.ownerKind}/${o.ownerName}`)).toEqual([
      "shop/Job/zz",
      "shop/ReplicaSet/web-1",
      "shop/ReplicaSet/web-2",
      "web/StatefulSet/db",
    ]);
    expect(s.nodes[0]).toMatchObject({ free: { cpu: 11000 }, podCount: 5 });
    b.deletePod("e");
    expect(b.snapshot(0).nodes[0]).toMatchObject({ free: { cpu: 12000 }, podCount: 4 });
  });

  it("frees the resources of a pod that terminates or is deleted", () => {
    const b = new SnapshotBuilder("idc-1");
    b.upsertNode(node("n1"));
    b.upsertPod(pod("a", "n1", 4000));
    b.upsertPod(pod("b", "n1", 4000));
    b.upsertPod(pod("a", "n1", 4000, { terminated: true }));
    b.deletePod("b");
    expect(b.totals().requested).toEqual({});
  });

  it("accounts pods that arrive before their node", () => {
    const b = new SnapshotBuilder("idc-1");
    b.upsertPod(pod("a", "n1", 3000));
    b.upsertNode(node("n1"));
    expect(b.snapshot(0).nodes[0]!.free["cpu"]).toBe(13000);
  });

  it("leaves NotReady and cordoned nodes out of totals and snapshots", () => {
    const b = new SnapshotBuilder("idc-1");
    b.upsertNode(node("n1"));
    b.upsertNode(node("n2", 16000, { ready: false }));
    b.upsertNode(node("n3", 16000, { unschedulable: true }));
    expect(b.totals().nodeCount).toBe(1);
    expect(b.snapshot(0).nodes.map((n) => n.name)).toEqual(["n1"]);
  });

  it("groups unschedulable pending pods by owner with the age of the oldest", () => {
    const b = new SnapshotBuilder("idc-1");
    b.upsertPod(pod("a", undefined, 1000, { unschedulableSinceMs: 10_000 }));
    b.upsertPod(pod("b", undefined, 1000, { unschedulableSinceMs: 40_000 }));
    b.upsertPod(pod("c", undefined, 1000, { ownerName: "api-1", unschedulableSinceMs: 55_000 }));
    b.upsertPod(pod("d", undefined, 1000)); // pending but not (yet) found unschedulable
    expect(b.snapshot(60_000).pending).toEqual([
      { namespace: "shop", ownerKind: "ReplicaSet", ownerName: "api-1", count: 1, oldestUnschedulableSeconds: 5 },
      { namespace: "shop", ownerKind: "ReplicaSet", ownerName: "web-1", count: 2, oldestUnschedulableSeconds: 50 },
    ]);
    b.upsertPod(pod("a", "n1", 1000)); // finally scheduled
    expect(b.snapshot(60_000).pending.find((g) => g.ownerName === "web-1")).toMatchObject({ count: 1, oldestUnschedulableSeconds: 20 });
  });

  it("bumps the revision on every change and only then", () => {
    const b = new SnapshotBuilder("idc-1");
    b.upsertNode(node("n1"));
    const r1 = b.revision;
    b.upsertNode(node("n1"));
    b.upsertPod(pod("a", "n1", 1000));
    const r2 = b.revision;
    b.upsertPod(pod("a", "n1", 1000));
    b.deletePod("nope");
    expect([r1, r2, b.revision]).toEqual([1, 2, 2]);
  });

  it("incremental state always equals a rebuild from the final objects (property)", () => {
    const nodeNames = ["n0", "n1", "n2"];
    const event = fc.oneof(
      fc.record({
        kind: fc.constant("node" as const),
        name: fc.constantFrom(...nodeNames),
        cpu: fc.integer({ min: 0, max: 32000 }),
        ready: fc.boolean(),
      }),
      fc.record({ kind: fc.constant("delNode" as const), name: fc.constantFrom(...nodeNames) }),
      fc.record({
        kind: fc.constant("pod" as const),
        uid: fc.constantFrom("p0", "p1", "p2", "p3", "p4"),
        node: fc.option(fc.constantFrom(...nodeNames), { nil: undefined }),
        cpu: fc.integer({ min: 0, max: 8000 }),
        terminated: fc.boolean(),
      }),
      fc.record({ kind: fc.constant("delPod" as const), uid: fc.constantFrom("p0", "p1", "p2", "p3", "p4") }),
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 80 }), (events) => {
        const b = new SnapshotBuilder("x");
        const nodes = new Map<string, NodeInfo>();
        const pods = new Map<string, PodInfo>();
        let lastRev = 0;
        for (const e of events) {
          if (e.kind === "node") {
            const n = node(e.name, e.cpu, { ready: e.ready });
            nodes.set(e.name, n);
            b.upsertNode(n);
          } else if (e.kind === "delNode") {
            nodes.delete(e.name);
            b.deleteNode(e.name);
          } else if (e.kind === "pod") {
            const p = pod(e.uid, e.node, e.cpu, { terminated: e.terminated });
            pods.set(e.uid, p);
            b.upsertPod(p);
          } else {
            pods.delete(e.uid);
            b.deletePod(e.uid);
          }
          expect(b.revision).toBeGreaterThanOrEqual(lastRev);
          lastRev = b.revision;
        }
        const fresh = new SnapshotBuilder("x");
        for (const n of nodes.values()) fresh.upsertNode(n);
        for (const p of pods.values()) fresh.upsertPod(p);
        const strip = (s: ReturnType<SnapshotBuilder["snapshot"]>) => ({ ...s, revision: 0 });
        expect(strip(b.snapshot(0))).toEqual(strip(fresh.snapshot(0)));
        expect(b.totals()).toEqual(fresh.totals());
      }),
    );
  });
});
