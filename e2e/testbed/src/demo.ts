/**
 * `make demo`: the local federation, the five services (two replicas each, behind their Leases)
 * as background processes, and a sample workload. Returns once everything is up and prints what
 * runs where; `make down` stops all of it.
 */
import { dirname, join } from "node:path";
import { helm, identityKubeconfig, SERVICES, type ServiceName } from "./chart.ts";
import { demoAutoscaling } from "./demo-autoscale.ts";
import { startFleetApi } from "./fleet-api.ts";
import { up, SYSTEM_NAMESPACE } from "./federation.ts";
import { kubectl } from "./kubectl.ts";
import { kubeconfigPath, repoRoot, testbedDir } from "./paths.ts";
import { probeOk } from "./probe.ts";
import { ProcessTable, waitFor } from "./processes.ts";
import { servicePorts, type Topology } from "./topology.ts";
import { placementName } from "@spillway/rules";

export async function demo(topology: Topology, replicas: number, log: (line: string) => void): Promise<void> {
  const fed = await up(topology, log);
  log(`federation up in ${fed.seconds.toFixed(1)}s; starting ${SERVICES.length} services × ${replicas}`);
  const table = new ProcessTable(testbedDir);
  const started: Array<{ name: string; url: string }> = [];
  const gatewayIndex = SERVICES.indexOf("cluster-gateway");
  const gatewayAddrs = Array.from(
    { length: replicas },
    (_, r) => `127.0.0.1:${servicePorts(topology, gatewayIndex * replicas + r).grpc}`,
  ).join(",");
  const schedulerIndex = SERVICES.indexOf("scheduler");
  const schedulerAddrs = Array.from(
    { length: replicas },
    (_, r) => `127.0.0.1:${servicePorts(topology, schedulerIndex * replicas + r).grpc}`,
  ).join(",");
  // The demo reads metrics and autoscales every 5 s (defaults 15 s) to show a whole cycle in minutes.
  const serviceArgs: Partial<Record<ServiceName, string[]>> = {
    "cluster-gateway": ["--metrics-interval=5"],
    scheduler: [`--gateway-addr=${gatewayAddrs}`],
    "federated-hpa": [`--gateway-addr=${gatewayAddrs}`, `--scheduler-addr=${schedulerAddrs}`, "--sync-period=5"],
  };
  await Promise.all(
    SERVICES.flatMap((service, s) =>
      Array.from({ length: replicas }, async (_, r) => {
        const { health: port, grpc } = servicePorts(topology, s * replicas + r);
        const name = `spillway-${service}-${r}`;
        const record = table.start(name, [
          process.execPath,
          join(repoRoot, "services", service, "src", "main.ts"),
          // As the chart's ServiceAccount for this service: the RBAC a user installs, nothing more.
          `--kubeconfig=${identityKubeconfig(service)}`,
          "--context=host",
          `--nats-url=${fed.natsUrl}`,
          `--health-addr=127.0.0.1:${port}`,
          `--grpc-addr=127.0.0.1:${grpc}`,
          `--identity=${name}`,
          `--lease-namespace=${SYSTEM_NAMESPACE}`,
          ...(serviceArgs[service] ?? []),
          // The fleet API's storage, beside the fleet apiserver: served by the first gateway replica.
          ...(service === "cluster-gateway" && r === 0 ? [`--fleet-storage-addr=${fed.fleet.storageAddr}`] : []),
        ]);
        await waitFor(name, () => probeOk(`http://127.0.0.1:${port}/readyz`), { timeoutMs: 60_000, table, record });
        started.push({ name, url: `http://127.0.0.1:${port}` });
      }),
    ),
  );
  await waitFor(
    "member clusters Ready",
    async () => {
      const out = await kubectl("host", [
        "get",
        "memberclusters",
        "-o",
        'jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}',
      ]);
      const states = out.split("\n").filter(Boolean);
      return states.length === topology.clusters.length - 1 && states.every((s) => s === "True");
    },
    { timeoutMs: 60_000 },
  );
  await startFleetApi();
  const memberTable = await kubectl("host", ["get", "memberclusters"]);
  // First, while IDC's GPU nodes are free: the autoscaler from one replica to the fleet's GPUs and back.
  if (topology.metricsServer)
    await demoAutoscaling(
      topology.clusters.filter((c) => c.role === "member").map((c) => c.name),
      log,
    );
  const sample = join(repoRoot, "samples", "web-burst.yaml");
  await kubectl("host", ["apply", "-f", sample]);

  const placement = await waitFor(
    "the sample's Placement",
    async () =>
      (
        await kubectl("host", ["get", "placement", "-n", "shop", placementName("FederatedDeployment", "web"), "-o", "name"]).catch(() => "")
      ).trim() !== "",
    { timeoutMs: 30_000 },
  ).then(() =>
    kubectl("host", [
      "get",
      "placement",
      "-n",
      "shop",
      placementName("FederatedDeployment", "web"),
      "-o",
      "custom-columns=CLUSTER:.spec.clusters[*].name,REPLICAS:.spec.clusters[*].replicas",
    ]),
  );
  // The story end to end: the sample lands IDC first, then a new image rolls out fleet-wide
  // with one budget (maxSurge 25% and maxUnavailable 25% of 40 replicas: at most 50 pods, at least 30 available).
  const fdStatus = async () =>
    JSON.parse((await kubectl("host", ["get", "federateddeployment", "-n", "shop", "web", "-o", "json"])) || "{}") as {
      metadata: { generation: number };
      status?: {
        observedGeneration?: number;
        replicas?: number;
        updatedReplicas?: number;
        availableReplicas?: number;
        clusters?: Array<{ name: string; replicas: number; availableReplicas?: number; updatedReplicas?: number }>;
      };
    };
  const rolledOut = (fd: Awaited<ReturnType<typeof fdStatus>>) =>
    fd.status?.observedGeneration === fd.metadata.generation &&
    fd.status.updatedReplicas === 40 &&
    fd.status.availableReplicas === 40 &&
    fd.status.replicas === 40;
  await waitFor("the sample running in its members", async () => rolledOut(await fdStatus()), { timeoutMs: 120_000, intervalMs: 500 });
  await kubectl("host", [
    "patch",
    "federateddeployment",
    "-n",
    "shop",
    "web",
    "--type=json",
    "-p",
    JSON.stringify([{ op: "replace", path: "/spec/template/spec/containers/0/image", value: "registry.example/shop/web:1.1.0" }]),
  ]);
  log("rolling out registry.example/shop/web:1.1.0 across the fleet (maxSurge 25%, maxUnavailable 25% of 40: ≤ 50 pods, ≥ 30 available):");
  const rollStart = Date.now();
  let lastLine = "";
  await waitFor(
    "the rollout to finish",
    async () => {
      const fd = await fdStatus();
      const per = (fd.status?.clusters ?? []).map((c) => `${c.name} ${c.updatedReplicas ?? 0}/${c.replicas}`).join(", ");
      const line = `    updated ${fd.status?.updatedReplicas ?? 0}/40, available ${fd.status?.availableReplicas ?? 0}, pods ${fd.status?.replicas ?? 0}  [${per}]`;
      if (line !== lastLine) console.log(line);
      lastLine = line;
      return rolledOut(fd) && (fd.status?.clusters ?? []).every((c) => (c.updatedReplicas ?? 0) === c.replicas);
    },
    { timeoutMs: 180_000, intervalMs: 1000 },
  );
  log(`rollout complete in ${((Date.now() - rollStart) / 1000).toFixed(1)}s`);
  const shards = join(repoRoot, "samples", "search-shards.yaml");
  await kubectl("host", ["apply", "-f", shards]);
  await waitFor(
    "the stateful sample's 6 ordinals Ready",
    async () =>
      (await kubectl("host", ["get", "fsts", "-n", "shop", "search", "-o", "jsonpath={.status.availableReplicas}"])).trim() === "6",
    { timeoutMs: 120_000, intervalMs: 500 },
  );
  const ranges = await kubectl("host", ["get", "fsts", "-n", "shop", "search"]);
  const where: string[] = [];
  for (const m of topology.clusters.filter((c) => c.role === "member"))
    where.push(
      `${m.name}: ${(await kubectl(m.name, ["get", "pods", "-n", "shop", "-l", "app=search", "-o", "jsonpath={.items[*].metadata.name}"])).trim() || "-"}`,
    );
  // One Kubernetes API over the whole fleet: every member's pods, the member as a column.
  const fleetPods = await waitFor(
    "the fleet API serving the members' pods",
    async () =>
      (await kubectl("fleet", ["get", "pods", "-n", "shop", "-o", "name"]).catch(() => "")).split("\n").filter(Boolean).length >= 46,
    { timeoutMs: 60_000 },
  ).then(() => kubectl("fleet", ["get", "pods", "-A", "-L", "spillway.dev/cluster", "--sort-by=.metadata.name"]));
  const leases = await kubectl("host", [
    "get",
    "leases",
    "-n",
    SYSTEM_NAMESPACE,
    "-o",
    "custom-columns=LEASE:.metadata.name,LEADER:.spec.holderIdentity",
  ]);
  log("services (health, readiness and Prometheus metrics at /healthz, /readyz, /metrics):");
  for (const s of started.sort((a, b) => a.name.localeCompare(b.name))) log(`  ${s.name.padEnd(36)} ${s.url}`);
  log("leaders:\n" + leases.trimEnd().replace(/^/gm, "    "));
  log("member clusters (status written by cluster-gateway):\n" + memberTable.trimEnd().replace(/^/gm, "    "));
  log(
    `sample applied: ${sample} — 40 replicas × 4 CPU; the scheduler placed them IDC first:\n` + placement.trimEnd().replace(/^/gm, "    "),
  );
  log(
    `stateful sample applied: ${shards} — 6 ordinals, one contiguous range per member, each with its claim bound there:\n` +
      ranges.trimEnd().replace(/^/gm, "    ") +
      "\n" +
      where.map((w) => `    ${w}`).join("\n"),
  );
  const podLines = fleetPods.trimEnd().split("\n");
  log(
    `the fleet API — kubectl --context fleet get pods -A -L spillway.dev/cluster (${podLines.length - 1} pods from every member; first 12):\n` +
      podLines.slice(0, 13).join("\n").replace(/^/gm, "    "),
  );
  // The way a user installs it: the chart's release and the identities the services ran under.
  const release = await helm(["list", "--namespace", SYSTEM_NAMESPACE]);
  log(
    `installed with helm (charts/spillway); every service above runs as its chart ServiceAccount (.testbed/identities/):\n` +
      release.trimEnd().replace(/^/gm, "    "),
  );
  const k = `${join(repoRoot, ".testbed", "bin", "kubectl")} --kubeconfig ${kubeconfigPath}`;
  log(`demo up in ${fed.seconds.toFixed(1)}s (federation) — look around:
    export KUBECONFIG=${kubeconfigPath} PATH=${join(repoRoot, "packages", "kubectl-spillway", "bin")}:${join(repoRoot, ".testbed", "bin")}:${dirname(process.execPath)}:$PATH
    kubectl spillway clusters --context host                              # the kubectl plugin
    kubectl spillway placement fdeploy/web -n shop --context host
    kubectl spillway rollout status fsts/search -n shop --context host
    helm list -n ${SYSTEM_NAMESPACE} --kube-context host
    kubectl --context host get memberclusters
    kubectl --context host get federateddeployments -A
    kubectl --context host get fhpa -n ml
    kubectl --context host get fsts -n shop search -o yaml
    kubectl --context host get placements -A -o yaml
    kubectl --context host get leases -n ${SYSTEM_NAMESPACE}
    kubectl --context idc-1 get nodes
    kubectl --context fleet get pods -A -o wide -L spillway.dev/cluster     # one API over every member
    kubectl --context fleet get nodes -l spillway.dev/cluster=cloud-1
    ${k} --context cloud-1 get pods -A
  stop everything with: make down`);
}
