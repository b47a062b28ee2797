/**
 * Native workloads through the fleet API (ADR 0009) on a private testbed (ports 25000+): a real
 * cluster-gateway serving the fleet API's storage, the real fleet-apiserver, the scheduler and
 * fleet-root. Measures
 *   1. create → first member pod, over BENCH_WORKLOADS workloads per path (default 100) paced
 *      BENCH_INTERVAL_MS apart, alternating in one run between an apps/v1 Deployment created through
 *      the fleet API and the same workload created as a FederatedDeployment on the host (p50/p99 each, and the
 *      ratio; target: the fleet path within 1.2× of the host path);
 *   2. spill → dependencies: a workload whose ConfigMap must follow it; from the moment its
 *      Placement gives a new member replicas until Spillway's copy is in that member, over
 *      BENCH_SPILLS spills (default 20; target p99 ≤ 200 ms).
 *   node services/cluster-gateway/bench/native-workloads.bench.ts
 */
import { join } from "node:path";

const WORKLOADS = Number(process.env["BENCH_WORKLOADS"] ?? 100);
const INTERVAL_MS = Number(process.env["BENCH_INTERVAL_MS"] ?? 250);
const SPILLS = Number(process.env["BENCH_SPILLS"] ?? 20);

const root = join(import.meta.dirname, "..", "..", "..");
process.env["SPILLWAY_TESTBED_DIR"] ??= join(root, ".testbed", "bench-native");
process.env["SPILLWAY_TESTBED_PORT_BASE"] ??= "25000";
process.env["SPILLWAY_TESTBED_METRICS"] = "0";
process.env["SPILLWAY_TESTBED_POD_READY_DELAY_MS"] ??= "0";
process.env["SPILLWAY_E2E_KUBECONFIG"] ??= join(process.env["SPILLWAY_TESTBED_DIR"], "kubeconfig");
process.env["SPILLWAY_E2E_NATS_URL"] ??= `nats://127.0.0.1:${Number(process.env["SPILLWAY_TESTBED_PORT_BASE"]) + 40}`;

const { up, down, loadTopology, startFleetApi, stopFleetApi } = await import("@spillway/testbed");
const { startService, waitReady, stop, freePort } = await import("@spillway/e2e/services");
const { kubeConfigFor, fleetStorageAddr } = await import("@spillway/e2e/clusters");
const { eventually } = await import("@spillway/e2e/helpers");
const { CoreV1Api, KubernetesObjectApi, Watch } = await import("@kubernetes/client-node");

const members = ["idc-1", "idc-2", "cloud-1"] as const;
const ns = "bench-native";
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const fmt = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(0)} ms, p99 ${pct(xs, 99).toFixed(0)} ms (n=${xs.length})`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Watches `path` in each member; calls `onAdd(name, cluster)` for every ADDED object. Returns a stop function. */
async function watchMembers(path: string, labelSelector: string, onAdd: (name: string, cluster: string) => void) {
  const reqs = await Promise.all(
    members.map((m) =>
      new Watch(kubeConfigFor(m)).watch(
        path,
        { labelSelector },
        (type: string, o: { metadata?: { name?: string; labels?: Record<string, string> } }) => {
          if (type === "ADDED") onAdd(o.metadata?.labels?.["app"] ?? o.metadata?.name ?? "", m);
        },
        () => undefined,
      ),
    ),
  );
  return () => reqs.forEach((r) => r.abort());
}

const procs: Array<Awaited<ReturnType<typeof startService>>> = [];
try {
  await up(loadTopology(), (l) => console.log(`testbed: ${l}`));
  const gwPort = await freePort();
  procs.push(
    await startService("cluster-gateway", "bench-gw", [
      `--grpc-addr=127.0.0.1:${gwPort}`,
      "--lease-namespace=default",
      `--fleet-storage-addr=${fleetStorageAddr}`,
    ]),
  );
  procs.push(await startService("scheduler", "bench-sched", [`--gateway-addr=127.0.0.1:${gwPort}`, "--lease-namespace=default"]));
  procs.push(await startService("fleet-root", "bench-fr", ["--lease-namespace=default"]));
  await Promise.all(procs.map((p) => waitReady(p, 60_000)));
  await startFleetApi();
  const host = KubernetesObjectApi.makeApiClient(kubeConfigFor("host"));
  const fleet = KubernetesObjectApi.makeApiClient(kubeConfigFor("fleet"));
  await kubeConfigFor("host")
    .makeApiClient(CoreV1Api)
    .createNamespace({ body: { metadata: { name: ns } } });

  // 1. create → first member pod, both paths in one run.
  const created = new Map<string, number>();
  const firstPod = new Map<string, number>();
  const stopPods = await watchMembers(`/api/v1/namespaces/${ns}/pods`, "bench=native", (app) => {
    if (!firstPod.has(app)) firstPod.set(app, performance.now());
  });
  const spec = (name: string) => ({
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name, bench: "native" } },
      spec: { containers: [{ name: "app", image: "registry.k8s.io/pause:3.9" }] },
    },
  });
  /** How long the create call itself took: the part of the latency the two paths do not share. */
  const answered = new Map<string, number>();
  for (let i = 0; i < 2 * WORKLOADS; i++) {
    const viaFleet = i % 2 === 0;
    const name = `${viaFleet ? "fleet" : "host"}-${i}`;
    const t0 = performance.now();
    created.set(name, t0);
    if (viaFleet)
      await fleet.create({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace: ns }, spec: spec(name) } as never);
    else
      await host.create({
        apiVersion: "spillway.dev/v1alpha1",
        kind: "FederatedDeployment",
        metadata: { name, namespace: ns },
        spec: spec(name),
      } as never);
    answered.set(name, performance.now() - t0);
    await sleep(INTERVAL_MS);
  }
  await eventually("every workload has a pod", async () => (firstPod.size >= 2 * WORKLOADS ? true : undefined), 300_000, 200);
  stopPods();
  const lat = (prefix: string) => [...created].filter(([n]) => n.startsWith(prefix)).map(([n, t]) => firstPod.get(n)! - t);
  const viaFleet = lat("fleet-");
  const viaHost = lat("host-");
  console.log(`create → first member pod, Deployment through the fleet API: ${fmt(viaFleet)}`);
  console.log(`create → first member pod, FederatedDeployment on the host:   ${fmt(viaHost)}`);
  const call = (prefix: string) => [...answered].filter(([n]) => n.startsWith(prefix)).map(([, ms]) => ms);
  console.log(`  of which the create call: through the fleet API ${fmt(call("fleet-"))}; on the host ${fmt(call("host-"))}`);
  console.log(
    `ratio fleet/host: p50 ${(pct(viaFleet, 50) / pct(viaHost, 50)).toFixed(2)}, p99 ${(pct(viaFleet, 99) / pct(viaHost, 99)).toFixed(2)} (target ≤ 1.2)`,
  );

  // 2. spill → the ConfigMap's copy in the new member, measured from the Placement's change.
  const placedAt = new Map<string, number>();
  const copiedAt = new Map<string, number>();
  const stopCopies = await watchMembers(`/api/v1/namespaces/${ns}/configmaps`, "spillway.dev/managed-by=dependencies", (name, cluster) => {
    if (cluster === "cloud-1" && !copiedAt.has(name)) copiedAt.set(name, performance.now());
  });
  const placements = new Watch(kubeConfigFor("host")).watch(
    `/apis/spillway.dev/v1alpha1/namespaces/${ns}/placements`,
    {},
    (_t: string, p: { spec?: { workloadRef?: { name?: string }; clusters?: Array<{ name: string; replicas: number }> } }) => {
      const name = p.spec?.workloadRef?.name ?? "";
      if (
        name.startsWith("spill-") &&
        !placedAt.has(`${name}-config`) &&
        p.spec?.clusters?.some((c) => c.name === "cloud-1" && c.replicas > 0)
      )
        placedAt.set(`${name}-config`, performance.now());
    },
    () => undefined,
  );
  for (let i = 0; i < SPILLS; i++) {
    const name = `spill-${i}`;
    await host.create({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: `${name}-config`, namespace: ns, labels: { app: `${name}-config` } },
      data: { i: String(i) },
    } as never);
    const s = spec(name);
    (s.template.spec as Record<string, unknown>)["volumes"] = [{ name: "c", configMap: { name: `${name}-config` } }];
    await host.create({
      apiVersion: "spillway.dev/v1alpha1",
      kind: "FederatedDeployment",
      metadata: { name, namespace: ns },
      // One replica fits the one IDC member it may use; the second spills to cloud-1.
      spec: { ...s, replicas: 1, placement: { clusterNames: ["idc-1", "cloud-1"], clusters: [{ name: "idc-1", maxReplicas: 1 }] } },
    } as never);
    await sleep(INTERVAL_MS);
    await fleet.patch(
      { apiVersion: "apps/v1", kind: "Deployment", metadata: { name, namespace: ns }, spec: { replicas: 2 } } as never,
      undefined,
      undefined,
      undefined,
      undefined,
      "application/merge-patch+json" as never,
    );
  }
  await eventually(
    "every spill's ConfigMap is in cloud-1",
    async () => (copiedAt.size >= SPILLS && placedAt.size >= SPILLS ? true : undefined),
    120_000,
    200,
  );
  stopCopies();
  (await placements).abort();
  const follow = [...placedAt].map(([n, t]) => copiedAt.get(n)! - t);
  console.log(`spill → dependency copy in the new member, after its Placement changed: ${fmt(follow)} (target p99 ≤ 200 ms)`);
} finally {
  await stopFleetApi().catch(() => undefined);
  await Promise.all(procs.map((p) => stop(p)));
  await down();
}
