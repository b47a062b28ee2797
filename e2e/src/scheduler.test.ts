/**
 * The scheduler against the testbed, fed by a real cluster-gateway: IDC first, overflow to cloud,
 * scale-down from cloud first, GPU spill, failover after the grace period, an Unschedulable
 * message that says what is short, Simulate without writing, and no write when nothing changed.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import {
  federatedDeploymentKind,
  memberClusterKind,
  placementKind,
  type FederatedDeployment,
  type MemberCluster,
  type Placement,
} from "@spillway/api";
import { ResourceClient, updateObject } from "@spillway/kit";
import { placementName } from "@spillway/rules";
import { ClusterRegistry, createClient, Scheduler, type ServiceClient } from "@spillway/proto";
import { testbedDir, ProcessTable } from "@spillway/testbed";
import { kubeConfigFor } from "./env.ts";
import { federatedDeployment } from "./federated-workloads.ts";
import { createNamespace, deleteNamespace, eventually, uniqueName } from "./helpers.ts";
import { itOnLocalTestbed } from "./local-testbed.ts";
import { freePort, metricValue, startService, stop, waitReady, type RunningService } from "./service-process.ts";

const FAILOVER_GRACE_S = 5;

describe("scheduler", () => {
  const host = kubeConfigFor("host");
  const fdeploys = new ResourceClient<FederatedDeployment>(host, federatedDeploymentKind);
  const placements = new ResourceClient<Placement>(host, placementKind);
  const ns = uniqueName("e2e-sched");
  const procs: RunningService[] = [];
  let simulate: ServiceClient<(typeof Scheduler)["method"]>;
  let registry: ServiceClient<(typeof ClusterRegistry)["method"]>;

  const deploy = (name: string, replicas: number, requests: Record<string, string>) =>
    fdeploys.create(federatedDeployment({ namespace: ns, name, replicas, requests }));
  const scale = async (name: string, replicas: number) => {
    await updateObject(fdeploys, { namespace: ns, name }, (latest) => ({ ...latest, spec: { ...latest.spec, replicas } }));
  };
  const placementOf = (name: string) => placements.get({ namespace: ns, name: placementName("FederatedDeployment", name) });
  const split = (p: Placement) => Object.fromEntries(p.spec.clusters.map((c) => [c.name, c.replicas]));
  /** Waits for the placement of every named workload to be for its latest generation and pass `ok`. */
  const settled = async (names: string[], ok: (ps: Placement[]) => boolean, what: string, timeoutMs = 30_000) =>
    eventually(
      what,
      async () => {
        const ps = await Promise.all(names.map(placementOf));
        const fds = await Promise.all(names.map((name) => fdeploys.get({ namespace: ns, name })));
        if (ps.some((p, i) => p.spec.workloadGeneration !== fds[i]!.metadata.generation)) return undefined;
        return ok(ps) ? ps : undefined;
      },
      timeoutMs,
      200,
    );
  const total = (ps: Placement[], cluster: string) => ps.reduce((s, p) => s + (split(p)[cluster] ?? 0), 0);
  const removeAll = async () => {
    for (const fd of (await fdeploys.list()).items.filter((i) => i.metadata.namespace === ns))
      await fdeploys.delete({ namespace: ns, name: fd.metadata.name! });
    await eventually("workloads gone", async () =>
      (await fdeploys.list()).items.some((i) => i.metadata.namespace === ns) ? undefined : true,
    );
  };

  beforeAll(async () => {
    await createNamespace("host", ns);
    const leaseNs = uniqueName("e2e-sched-lease");
    await createNamespace("host", leaseNs);
    const gwPort = await freePort();
    const gw = await startService("cluster-gateway", "sched-gw", [
      `--lease-namespace=${leaseNs}`,
      `--grpc-addr=127.0.0.1:${gwPort}`,
      "--hold-down=3",
    ]);
    const schedPort = await freePort();
    const sched = await startService("scheduler", "sched", [
      `--lease-namespace=${leaseNs}`,
      `--grpc-addr=127.0.0.1:${schedPort}`,
      `--gateway-addr=127.0.0.1:${gwPort}`,
      `--failover-grace=${FAILOVER_GRACE_S}`,
    ]);
    procs.push(gw, sched);
    await Promise.all(procs.map((p) => waitReady(p, 60_000)));
    simulate = createClient(Scheduler, `127.0.0.1:${schedPort}`);
    registry = createClient(ClusterRegistry, `127.0.0.1:${gwPort}`);
    // Earlier suites' pods may still be terminating in the members; start from an empty IDC
    // (cloud-1 has room to spare for what these tests put there).
    for (const cluster of ["idc-1", "idc-2"]) {
      await eventually(
        `${cluster} free of pods`,
        async () => {
          const s = (await registry.getSnapshot({ cluster })).snapshot!;
          return s.owners.length === 0 && s.nodes.length > 0 ? true : undefined;
        },
        90_000,
        500,
      );
    }
  });

  afterEach(() => removeAll());

  afterAll(async () => {
    simulate?.close();
    registry?.close();
    await Promise.all(procs.map((p) => stop(p)));
    await deleteNamespace("host", ns);
  });

  it("fills IDC and puts only the overflow of three workloads on cloud-1, then scales down from cloud first", async () => {
    // 3 × 12 replicas × 4 CPU = 144 CPU; idc-1 and idc-2 hold 64 CPU each.
    for (const name of ["a", "b", "c"]) await deploy(name, 12, { cpu: "4", memory: "1Gi" });
    const ps = await settled(
      ["a", "b", "c"],
      (ps) => ps.every((p) => p.spec.unschedulableReplicas === 0 && p.spec.clusters.reduce((s, c) => s + c.replicas, 0) === 12),
      "three placements",
    );
    expect([total(ps, "idc-1"), total(ps, "idc-2"), total(ps, "cloud-1")]).toEqual([16, 16, 4]);

    // Scaling each down by 4 removes every cloud replica: each workload gives up cloud first.
    const before = Object.fromEntries(ps.map((p) => [p.spec.workloadRef.name, split(p)]));
    for (const name of ["a", "b", "c"]) await scale(name, 8);
    const down = await settled(
      ["a", "b", "c"],
      (ps) => ps.every((p) => p.spec.clusters.reduce((s, c) => s + c.replicas, 0) === 8),
      "scaled down",
    );
    expect(total(down, "cloud-1")).toBe(0);
    for (const p of down) {
      const was = before[p.spec.workloadRef.name]!;
      const idcLost = (was["idc-1"] ?? 0) + (was["idc-2"] ?? 0) - ((split(p)["idc-1"] ?? 0) + (split(p)["idc-2"] ?? 0));
      // Cloud gives up all it has first; IDC gives only the rest.
      expect(idcLost).toBe(Math.max(0, 4 - (was["cloud-1"] ?? 0)));
    }
  });

  it("spills only a GPU workload's overflow to cloud-1", async () => {
    // Each IDC member has one 8-GPU node: 2 replicas of 4 GPUs each; the other 2 go to cloud.
    await deploy("llm", 6, { cpu: "1", "nvidia.com/gpu": "4" });
    const [p] = await settled(["llm"], ([p]) => p!.spec.unschedulableReplicas === 0, "gpu placement");
    expect(split(p!)).toEqual({ "idc-1": 2, "idc-2": 2, "cloud-1": 2 });
  });

  it("marks a workload that fits nowhere Unschedulable, saying what is short", async () => {
    await deploy("huge", 1, { cpu: "1", "nvidia.com/gpu": "10" });
    const [p] = await settled(["huge"], ([p]) => p!.status?.conditions?.some((c) => c.type === "Scheduled") ?? false, "placement status");
    expect(p!.spec.unschedulableReplicas).toBe(1);
    const cond = p!.status!.conditions!.find((c) => c.type === "Scheduled")!;
    expect(cond).toMatchObject({ status: "False", reason: "Unschedulable" });
    expect(cond.message).toMatch(/needs 10 nvidia\.com\/gpu per replica; largest free node has 8/);
    expect(p!.status!.phase).toBe("Unschedulable");
  });

  it("answers Simulate without writing anything, and writes nothing when the decision is unchanged", async () => {
    const res = await simulate.simulate({
      workload: { kind: "FederatedDeployment", namespace: ns, name: "what-if" },
      replicas: 40,
      perReplica: { cpuMillis: 4000n },
    });
    expect(res.clusters.map((c) => [c.cluster, c.replicas])).toEqual([
      ["idc-1", 16],
      ["idc-2", 16],
      ["cloud-1", 8],
    ]);
    await expect(placementOf("what-if")).rejects.toMatchObject({ code: 404 });

    // A change to idc-1 that placement depends on (a label on its MemberCluster) re-evaluates
    // "steady", which has replicas there; its decision stays the same, so nothing is written.
    await deploy("steady", 4, { cpu: "2" });
    // Placed AND its status written: the status write follows the spec write and bumps resourceVersion.
    const [p] = await settled(
      ["steady"],
      ([p]) => p!.spec.unschedulableReplicas === 0 && p!.status?.phase === "Scheduled",
      "steady placed",
    );
    const metric = (name: string) => metricValue(procs[1]!, name);
    const members = new ResourceClient<MemberCluster>(host, memberClusterKind);
    const decisions = await metric("spillway_scheduler_decisions_total");
    const writes = await metric("spillway_scheduler_placement_writes_total");
    await members.mergePatch({ name: "idc-1" }, { metadata: { labels: { "e2e-touched": ns } } });
    try {
      await eventually(
        "steady re-evaluated",
        async () => ((await metric("spillway_scheduler_decisions_total")) > decisions ? true : undefined),
        15_000,
        100,
      );
      expect(await metric("spillway_scheduler_placement_writes_total")).toBe(writes);
      expect((await placementOf("steady")).metadata.resourceVersion).toBe(p!.metadata.resourceVersion);
    } finally {
      await members.mergePatch({ name: "idc-1" }, { metadata: { labels: { "e2e-touched": null } } });
    }
  });

  itOnLocalTestbed(
    "moves idc-1's replicas elsewhere once it has been not Ready longer than the grace period",
    async () => {
      await deploy("svc", 8, { cpu: "2" });
      const [p] = await settled(["svc"], ([p]) => p!.spec.unschedulableReplicas === 0, "svc placed");
      expect(split(p!)).toEqual({ "idc-1": 8 });
      const table = new ProcessTable(testbedDir);
      await table.stopOne("idc-1-kube-apiserver");
      try {
        const members = new ResourceClient<MemberCluster>(host, memberClusterKind);
        const downSince = await eventually(
          "idc-1 reported not Ready",
          async () => {
            const c = (await members.get({ name: "idc-1" })).status?.conditions?.find((c) => c.type === "Ready");
            return c?.status === "False" ? Date.parse(c.lastTransitionTime) : undefined;
          },
          30_000,
          200,
        );
        const moved = await eventually(
          "replicas moved off idc-1",
          async () => {
            const q = await placementOf("svc");
            return (split(q)["idc-1"] ?? 0) === 0 ? q : undefined;
          },
          60_000,
          250,
        );
        const movedAfterMs = Date.now() - downSince;
        expect(split(moved)).toEqual({ "idc-2": 8 });
        // Not before the grace period after the member was reported down.
        expect(movedAfterMs).toBeGreaterThanOrEqual(FAILOVER_GRACE_S * 1000);
      } finally {
        table.restart("idc-1-kube-apiserver");
        await eventually(
          "idc-1 back",
          async () => {
            const s = await registry.listClusters({});
            return s.clusters.find((c) => c.name === "idc-1")?.ready ? true : undefined;
          },
          60_000,
          500,
        );
      }
    },
    "idc-1-kube-apiserver",
  );
});
