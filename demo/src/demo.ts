/**
 * `make demo`: the local federation, the five services (two replicas each, behind their Leases)
 * as background processes, the fleet API, and the samples. Returns once everything is up and
 * prints what runs where and what to try; the stories (`make story`) then play on it, and
 * `make down` stops all of it.
 */
import { dirname, join } from "node:path";
import { placementName } from "@spillway/rules";
import {
  helm,
  identityKubeconfig,
  kubeconfigPath,
  kubectl,
  probeOk,
  ProcessTable,
  repoRoot,
  SERVICES,
  servicePorts,
  startFleetApi,
  SYSTEM_NAMESPACE,
  testbedDir,
  up,
  waitFor,
  type ServiceName,
  type Topology,
} from "@spillway/testbed";

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
  // The autoscaling sample first, while IDC's GPU nodes are free: it idles at ONE replica
  // fleet-wide until its story (`make story`) loads it.
  await kubectl("host", ["apply", "-f", join(repoRoot, "samples", "gpu-inference.yaml")]);
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
  await waitFor(
    "the sample running in its members",
    async () =>
      (await kubectl("host", ["get", "fdeploy", "-n", "shop", "web", "-o", "jsonpath={.status.availableReplicas}"])).trim() === "40",
    { timeoutMs: 120_000, intervalMs: 500 },
  );
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
    SPILLWAY_SCHEDULER_ADDR=${schedulerAddrs.split(",")[0]} kubectl spillway simulate -f ${join(repoRoot, "samples", "rollout.yaml")} --context host   # a dry run
    helm list -n ${SYSTEM_NAMESPACE} --kube-context host
    kubectl --context host get memberclusters
    kubectl --context host get federateddeployments -A
    kubectl --context host get fhpa -n ml
    kubectl --context host get fsts -n shop search -o yaml
    kubectl --context host get placements.spillway.dev -A -o yaml
    kubectl --context host get leases -n ${SYSTEM_NAMESPACE}
    kubectl --context idc-1 get nodes
    kubectl --context fleet get pods -A -o wide -L spillway.dev/cluster     # one API over every member
    kubectl --context fleet get nodes -l spillway.dev/cluster=cloud-1
    kubectl --context fleet get deploy,sts,hpa -A                            # the samples as one cluster's workloads
    ${k} --context cloud-1 get pods -A
  the stories, on this federation: make story    (a fleet-wide rollout, then the autoscaler from 1 replica to the fleet's GPUs and back)
  stop everything with: make down`);
}
