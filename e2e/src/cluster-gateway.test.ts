/**
 * cluster-gateway against the testbed: member registry, health, status and live snapshots, served
 * over gRPC and published to NATS, with two replicas of which only the leader writes.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { fromBinary } from "@bufbuild/protobuf";
import { AppsV1Api, CoreV1Api, EventsV1Api, setHeaderOptions, type EventsV1Event } from "@kubernetes/client-node";
import { memberClusterKind, type MemberCluster } from "@spillway/api";
import { Bus, topics, type SnapshotChanged } from "@spillway/bus";
import { ResourceClient } from "@spillway/kit";
import { milliCpu, podRequests } from "@spillway/resources";
import { ClusterRegistry, ClusterSnapshotSchema, createClient, type ClusterSnapshot, type ServiceClient } from "@spillway/proto";
import { ProcessTable, testbedDir } from "@spillway/testbed";
import { kubeConfigFor, natsUrl, type ClusterRole, testImage } from "./env.ts";
import { createNamespace, deleteNamespace, eventually, uniqueName } from "./helpers.ts";
import { kubectl } from "./kubectl.ts";
import { itOnLocalTestbed } from "./local-testbed.ts";
import { freePort, leaderGauge, metricValue, startService, stop, waitReady, type RunningService } from "./service-process.ts";

type Registry = ServiceClient<(typeof ClusterRegistry)["method"]>;
const MEMBERS: ClusterRole[] = ["idc-1", "idc-2", "cloud-1"];
const milli = (q: string | undefined) => (q ? milliCpu(q) : 0);
const usedCpu = (s: ClusterSnapshot) => s.nodes.reduce((sum, n) => sum + Number(n.allocatable!.cpuMillis - n.free!.cpuMillis), 0);

describe("cluster-gateway", () => {
  const host = kubeConfigFor("host");
  const members = new ResourceClient<MemberCluster>(host, memberClusterKind);
  const leaseNs = uniqueName("e2e-gateway");
  const gateways: Array<{ svc: RunningService; grpc: Registry }> = [];
  let bus: Bus;

  const member = (name: string) => members.get({ name });
  const ready = (m: MemberCluster) => m.status?.conditions?.find((c) => c.type === "Ready");

  beforeAll(async () => {
    await createNamespace("host", leaseNs);
    bus = await Bus.connect({ servers: natsUrl, name: "e2e-gateway" });
    for (const id of ["gw-a", "gw-b"]) {
      const grpcPort = await freePort();
      const svc = await startService("cluster-gateway", id, [
        `--lease-namespace=${leaseNs}`,
        "--lease-duration=4",
        `--grpc-addr=127.0.0.1:${grpcPort}`,
        "--hold-down=3",
      ]);
      gateways.push({ svc, grpc: createClient(ClusterRegistry, `127.0.0.1:${grpcPort}`) });
    }
    await Promise.all(gateways.map((g) => waitReady(g.svc)));
  });

  afterAll(async () => {
    for (const g of gateways) g.grpc.close();
    await Promise.all(gateways.map((g) => stop(g.svc)));
    await bus.close();
    await deleteNamespace("host", leaseNs);
  });

  it("reports every member Ready with the capacity of its nodes", async () => {
    for (const role of MEMBERS) {
      const nodes = (await kubeConfigFor(role).makeApiClient(CoreV1Api).listNode()).items;
      const cpu = nodes.reduce((s, n) => s + milli(n.status!.allocatable!["cpu"]), 0);
      const gpus = nodes.reduce((s, n) => s + Number(n.status!.allocatable!["nvidia.com/gpu"] ?? 0), 0);
      const m = await eventually(
        `${role} Ready`,
        async () => {
          const m = await member(role);
          return ready(m)?.status === "True" && m.status?.nodeCount === nodes.length ? m : undefined;
        },
        30_000,
      );
      expect(milli(m.status!.allocatable!["cpu"] as string)).toBe(cpu);
      expect(Number(m.status!.allocatable!["nvidia.com/gpu"])).toBe(gpus);
      expect(m.status!.kubernetesVersion).toMatch(/^v1\.\d+/);
    }
  });

  it("reflects a Deployment scaled in idc-1 in status.requested and in the snapshot", async () => {
    const ns = uniqueName("e2e-scale");
    await createNamespace("idc-1", ns);
    try {
      const apps = kubeConfigFor("idc-1").makeApiClient(AppsV1Api);
      const core = kubeConfigFor("idc-1").makeApiClient(CoreV1Api);
      // What the member's API server holds: CPU requested by bound, non-terminal pods, and how many
      // of ours are bound. Other suites' pods come and go meanwhile, so the status is judged
      // against this, read at the same moment, not against a baseline taken earlier.
      const apiState = async () => {
        const pods = (await core.listPodForAllNamespaces()).items.filter(
          (p) => p.spec?.nodeName && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed",
        );
        return {
          cpu: pods.reduce((sum, p) => sum + (podRequests(p.spec!)["cpu"] ?? 0), 0),
          ours: pods.filter((p) => p.metadata?.namespace === ns).length,
        };
      };
      const reflects = (replicas: number) =>
        eventually(
          `status and snapshot of idc-1 show the CPU of ${replicas} bound pod(s) of ours`,
          async () => {
            const before = await apiState();
            const requested = milli((await member("idc-1")).status!.requested!["cpu"] as string);
            const snap = (await gateways[0]!.grpc.getSnapshot({ cluster: "idc-1" })).snapshot!;
            const after = await apiState();
            const stable = before.cpu === after.cpu && after.ours === replicas;
            return stable && requested === after.cpu && usedCpu(snap) === after.cpu ? snap : undefined;
          },
          20_000,
          100,
        );
      await apps.createNamespacedDeployment({
        namespace: ns,
        body: {
          metadata: { name: "api" },
          spec: {
            replicas: 1,
            selector: { matchLabels: { app: "api" } },
            template: {
              metadata: { labels: { app: "api" } },
              spec: { containers: [{ name: "api", image: testImage(1), resources: { requests: { cpu: "1" } } }] },
            },
          },
        },
      });
      const one = await reflects(1);
      await apps.patchNamespacedDeploymentScale(
        { namespace: ns, name: "api", body: { spec: { replicas: 4 } } },
        setHeaderOptions("Content-Type", "application/merge-patch+json"),
      );
      // How fast this happens is measured by `pnpm --filter @spillway/cluster-gateway bench:real`.
      const four = await reflects(4);
      expect(four.revision).toBeGreaterThan(one.revision);
    } finally {
      await deleteNamespace("idc-1", ns);
    }
  });

  it("streams the current snapshot first and then each change, also to a client that connects late", async () => {
    const ns = uniqueName("e2e-watch");
    await createNamespace("idc-2", ns);
    const abort = new AbortController();
    const received: ClusterSnapshot[] = [];
    const stream = (async () => {
      for await (const msg of gateways[1]!.grpc.watchSnapshots({ clusters: ["idc-2"] }, { signal: abort.signal }))
        received.push(msg.snapshot!);
    })().catch(() => {});
    try {
      const first = await eventually("initial snapshot", async () => received[0], 10_000, 20);
      expect(first.cluster).toBe("idc-2");
      expect(first.nodes).toHaveLength(4);
      // Other suites' pods come and go in idc-2 meanwhile, so our pod is told apart by its owner,
      // a ReplicaSet in a namespace of our own, not by the cluster's total CPU.
      await kubeConfigFor("idc-2")
        .makeApiClient(AppsV1Api)
        .createNamespacedReplicaSet({
          namespace: ns,
          body: {
            metadata: { name: "p" },
            spec: {
              replicas: 1,
              selector: { matchLabels: { app: "p" } },
              template: {
                metadata: { labels: { app: "p" } },
                spec: { containers: [{ name: "c", image: testImage(1), resources: { requests: { cpu: "3" } } }] },
              },
            },
          },
        });
      const ours = (s: ClusterSnapshot) => s.owners.find((o) => o.namespace === ns && o.ownerKind === "ReplicaSet" && o.ownerName === "p");
      expect(ours(first)).toBeUndefined();
      const changed = await eventually(
        "a later snapshot with the pod bound",
        async () => received.find((s) => ours(s)?.bound === 1),
        15_000,
        20,
      );
      expect(changed.revision).toBeGreaterThan(first.revision);
      // The node the pod is bound to shows its 3 CPU taken, whatever else runs there.
      const [pod] = (await kubeConfigFor("idc-2").makeApiClient(CoreV1Api).listNamespacedPod({ namespace: ns })).items;
      const node = changed.nodes.find((n) => n.name === pod!.spec!.nodeName)!;
      expect(Number(node.allocatable!.cpuMillis - node.free!.cpuMillis)).toBeGreaterThanOrEqual(3000);

      // Each gateway watches idc-2 itself; the late client's gateway is let catch up first.
      await eventually(
        "the other gateway has the pod",
        async () => ours((await gateways[0]!.grpc.getSnapshot({ cluster: "idc-2" })).snapshot!)?.bound === 1 || undefined,
        15_000,
        20,
      );
      const late: ClusterSnapshot[] = [];
      const lateAbort = new AbortController();
      void (async () => {
        for await (const msg of gateways[0]!.grpc.watchSnapshots({ clusters: ["idc-2"] }, { signal: lateAbort.signal }))
          late.push(msg.snapshot!);
      })().catch(() => {});
      const lateFirst = await eventually("late client's first message", async () => late[0], 10_000, 20);
      lateAbort.abort();
      // The late client's first message is the gateway's current snapshot, so it already has the pod.
      expect(ours(lateFirst)?.bound).toBe(1);
    } finally {
      abort.abort();
      await stream;
      await deleteNamespace("idc-2", ns);
    }
  });

  it("publishes snapshots to the JetStream KV bucket and announces them on spillway.cluster.<name>.snapshot", async () => {
    const events: SnapshotChanged[] = [];
    bus.subscribe(topics.clusterSnapshot, (e) => {
      events.push(e);
    });
    const kv = await bus.kv("spillway-snapshots", { encode: (b: Uint8Array) => b, decode: (b: Uint8Array) => b });
    const stored = await eventually("idc-1 snapshot in KV", async () => (await kv.get("idc-1"))?.value, 10_000);
    const snap = fromBinary(ClusterSnapshotSchema, stored);
    expect(snap.cluster).toBe("idc-1");
    expect(snap.nodes).toHaveLength(4);
    // A change anywhere in idc-1 is announced with the new revision.
    const ns = uniqueName("e2e-kv");
    await createNamespace("idc-1", ns);
    try {
      await kubeConfigFor("idc-1")
        .makeApiClient(CoreV1Api)
        .createNamespacedPod({
          namespace: ns,
          body: {
            metadata: { name: "p" },
            spec: { containers: [{ name: "c", image: testImage(1), resources: { requests: { cpu: "1" } } }] },
          },
        });
      const ev = await eventually(
        "snapshot event",
        async () => events.find((e) => e.cluster === "idc-1" && e.revision > Number(snap.revision)),
        10_000,
        20,
      );
      const latest = fromBinary(ClusterSnapshotSchema, (await kv.get("idc-1"))!.value);
      expect(Number(latest.revision)).toBeGreaterThanOrEqual(ev.revision);
    } finally {
      await deleteNamespace("idc-1", ns);
    }
  });

  it("marks a member whose Secret holds garbage KubeconfigInvalid, leaves the others Ready, and lets it be deleted", async () => {
    const core = host.makeApiClient(CoreV1Api);
    const name = uniqueName("broken");
    await core.createNamespacedSecret({
      namespace: "spillway-system",
      body: { metadata: { name }, stringData: { kubeconfig: "this is not a kubeconfig {{{" } },
    });
    await members.create({
      apiVersion: "spillway.dev/v1alpha1",
      kind: "MemberCluster",
      metadata: { name },
      spec: { tier: "cloud", priority: 200, kubeconfigSecretRef: { namespace: "spillway-system", name, key: "kubeconfig" } },
    });
    const cond = await eventually(
      "KubeconfigInvalid",
      async () => {
        const c = ready(await member(name));
        return c?.reason === "KubeconfigInvalid" ? c : undefined;
      },
      20_000,
    );
    expect(cond.status).toBe("False");
    expect(cond.message).toContain(`Secret spillway-system/${name}`);
    for (const role of MEMBERS) expect(ready(await member(role))?.status).toBe("True");
    expect((await gateways[0]!.grpc.listClusters({})).clusters.find((c) => c.name === name)?.ready).toBe(false);
    // `kubectl describe` says why, as a warning Event (a cluster-scoped object's are in "default").
    const described = await eventually("the warning in kubectl describe", async () => {
      const r = await kubectl("host", ["describe", "membercluster", name]);
      return /Warning\s+MemberNotReady/.test(r.stdout) ? r.stdout : undefined;
    });
    expect(described).toMatch(
      new RegExp(
        `Warning\\s+MemberNotReady\\s+.+\\s+spillway\\.dev/cluster-gateway\\s+KubeconfigInvalid: .*Secret spillway-system/${name}`,
      ),
    );

    await members.delete({ name });
    await eventually(
      "broken member gone",
      async () =>
        (await member(name).then(
          () => false,
          () => true,
        )) || undefined,
      20_000,
    );
    await core.deleteNamespacedSecret({ namespace: "spillway-system", name });
  });

  it("writes status from the leader only, while both replicas serve reads", async () => {
    const writes = (svc: RunningService) => metricValue(svc, "spillway_gateway_status_writes_total");
    const leading = async (svc: RunningService) => (await leaderGauge(svc)) === 1;
    const flags = await Promise.all(gateways.map((g) => leading(g.svc)));
    expect(flags.filter(Boolean)).toHaveLength(1);
    const leader = gateways[flags.indexOf(true)]!;
    const standby = gateways[flags.indexOf(false)]!;
    expect(await writes(leader.svc)).toBeGreaterThan(0);
    expect(await writes(standby.svc)).toBe(0);
    for (const g of gateways) {
      const names = (await g.grpc.listClusters({})).clusters.map((c) => c.name);
      expect(names).toEqual(expect.arrayContaining(MEMBERS));
    }
  });

  itOnLocalTestbed(
    "reports cloud-1 Unreachable once its API server stops, and Ready with a fresh snapshot after it returns",
    async () => {
      const table = new ProcessTable(testbedDir);
      await eventually("cloud-1 Ready", async () => (ready(await member("cloud-1"))?.status === "True" ? true : undefined), 30_000);
      const t0 = Date.now();
      await table.stopOne("cloud-1-kube-apiserver");
      const down = await eventually(
        "cloud-1 NotReady",
        async () => {
          const c = ready(await member("cloud-1"));
          return c?.status === "False" ? c : undefined;
        },
        30_000,
        100,
      );
      // How soon is the probe settings' business (README: failure threshold × interval); printed, not judged.
      console.log(`cloud-1 reported Unreachable ${Date.now() - t0} ms after its API server stopped`);
      expect(down.reason).toBe("Unreachable");

      table.restart("cloud-1-kube-apiserver");
      await eventually(
        "cloud-1 Ready again",
        async () => (ready(await member("cloud-1"))?.status === "True" ? true : undefined),
        60_000,
        200,
      );
      // Both turns are Events on the MemberCluster, in order. Judged by their times: a MemberReady
      // seen before (when this suite's gateways started) is folded into one series with this one,
      // as client-go folds it, and `kubectl describe` may then list that series above the outage.
      const events = kubeConfigFor("host").makeApiClient(EventsV1Api);
      const observed = (e: EventsV1Event) => new Date(e.series?.lastObservedTime ?? e.eventTime!).getTime();
      await eventually("MemberNotReady, then MemberReady, as Events", async () => {
        const ours = (await events.listNamespacedEvent({ namespace: "default" })).items.filter(
          (e) => e.regarding?.kind === "MemberCluster" && e.regarding.name === "cloud-1",
        );
        const outage = ours.find((e) => e.reason === "MemberNotReady" && observed(e) >= t0 - 1);
        return outage && ours.some((e) => e.reason === "MemberReady" && observed(e) > observed(outage)) ? true : undefined;
      });
      const described = (await kubectl("host", ["describe", "membercluster", "cloud-1"])).stdout;
      expect(described).toMatch(/Normal\s+MemberReady\s/);
      expect(described).toMatch(/Warning\s+MemberNotReady\s+.+\s+spillway\.dev\/cluster-gateway\s+Unreachable: /);
      // Fresh: a change made after the outage shows in the snapshot, so the watches resumed.
      const ns = uniqueName("e2e-after");
      await eventually("cloud-1 accepts writes", async () => createNamespace("cloud-1", ns).then(() => true), 30_000);
      try {
        const before = (await gateways[0]!.grpc.getSnapshot({ cluster: "cloud-1" })).snapshot!;
        const core = kubeConfigFor("cloud-1").makeApiClient(CoreV1Api);
        // The pod is told apart from other suites' pods by its controlling owner, any object of
        // ours will do: a ConfigMap in our namespace.
        const owner = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "owner" } } });
        await core.createNamespacedPod({
          namespace: ns,
          // Bound to a node directly: the check is about the gateway's watches resuming, not
          // about how fast cloud-1's own scheduler recovers from the outage.
          body: {
            metadata: {
              name: "p",
              ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: "owner", uid: owner.metadata!.uid!, controller: true }],
            },
            spec: {
              nodeName: before.nodes[0]!.name,
              containers: [{ name: "c", image: testImage(1), resources: { requests: { cpu: "2" } } }],
            },
          },
        });
        const after = await eventually(
          "cloud-1 snapshot sees the new pod",
          async () => {
            const s = (await gateways[0]!.grpc.getSnapshot({ cluster: "cloud-1" })).snapshot!;
            return s.owners.some((o) => o.namespace === ns && o.ownerKind === "ConfigMap" && o.bound === 1) ? s : undefined;
          },
          30_000,
          100,
        );
        expect(after.revision).toBeGreaterThan(before.revision);
        const node = after.nodes.find((n) => n.name === before.nodes[0]!.name)!;
        expect(Number(node.allocatable!.cpuMillis - node.free!.cpuMillis)).toBeGreaterThanOrEqual(2000);
        expect(after.nodes).toHaveLength(8);
      } finally {
        await deleteNamespace("cloud-1", ns);
      }
    },
    "cloud-1-kube-apiserver",
  );
});
