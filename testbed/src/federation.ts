/**
 * Brings the whole local federation up: NATS and every cluster's control plane, the fake nodes,
 * the CRDs and the Helm chart (the services' identities) on host, and the members registered as
 * MemberCluster objects with kubeconfig Secrets.
 * Independent components start in parallel; each step fails fast, naming the component and its log.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parse, stringify } from "yaml";
import {
  HOST_CONTROLLERS,
  HOST_NODE_CONTROLLERS,
  startApiserver,
  startControllerManager,
  startEtcd,
  startKwok,
  startScheduler,
  type FrontProxy,
  type RunningCluster,
} from "./control-plane.ts";
import { installChart } from "./chart.ts";
import { prepareFleetApi, type FleetApi } from "./fleet-api.ts";
import { startMetricsServer } from "./metrics-server.ts";
import { startMetricsAdapter } from "./metrics-adapter.ts";
import { kubeconfigYaml } from "./credentials.ts";
import { apply, kubectl } from "./kubectl.ts";
import { nodeManifests } from "./nodes.ts";
import { storageManifests } from "./storage.ts";
import { bin, binDir, kubeconfigPath, repoRoot, stagesDir, testbedDir } from "./paths.ts";
import { probeOk } from "./probe.ts";
import { runCommand } from "./run-command.ts";
import { alive, assertPortsFree, ProcessTable, waitFor } from "./processes.ts";
import { cleanUpHostNode, drainHostNode, startHostNode } from "./host-node.ts";
import { clusterPorts, natsPorts, nodeNetwork, type ClusterSpec, type NodeNetwork, type Topology } from "./topology.ts";

export const SYSTEM_NAMESPACE = "spillway-system";

export interface Federation {
  clusters: RunningCluster[];
  /** The fleet API, prepared: it starts (and gets its `fleet` context) once a gateway serves its storage. */
  fleet: FleetApi;
  natsUrl: string;
  seconds: number;
}

function requireBinaries(): void {
  const missing = [
    "etcd",
    "kube-apiserver",
    "fleet-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "kubectl",
    "kwok",
    "nats-server",
    "metrics-server",
    "testbed-certs",
  ].filter((b) => !existsSync(bin(b)));
  if (missing.length) throw new Error(`testbed binaries missing in ${binDir}: ${missing.join(", ")}; run testbed/build.sh (make binaries)`);
}

type Stage = { metadata: { name: string }; spec: { selector?: { matchExpressions?: unknown[] }; [f: string]: unknown } };

/**
 * The kwok Stage manifests, with the configured pod-ready delay written into pod-ready, and one
 * of the testbed's own: a bare Pod that runs once (restartPolicy Never, no owner: a chart's test
 * hook) completes as kwok's pod-complete completes a Job's, since no container runs here to end it.
 */
function writeStages(runDir: string, podReadyDelayMs: number): string[] {
  const source = stagesDir;
  const out = join(runDir, "kwok-stages");
  mkdirSync(out, { recursive: true });
  const write = (file: string, stage: Stage) => {
    writeFileSync(join(out, file), stringify(stage));
    return join(out, file);
  };
  return readdirSync(source)
    .filter((f) => f.endsWith(".yaml"))
    .flatMap((f) => {
      const stage = parse(readFileSync(join(source, f), "utf8")) as Stage;
      if (stage.metadata.name === "pod-ready" && podReadyDelayMs > 0) stage.spec["delay"] = { durationMilliseconds: podReadyDelayMs };
      if (stage.metadata.name !== "pod-complete") return [write(f, stage)];
      const runOnce: Stage = {
        ...stage,
        metadata: { ...stage.metadata, name: "pod-complete-run-once" },
        spec: {
          ...stage.spec,
          selector: {
            matchExpressions: [
              ...(stage.spec.selector?.matchExpressions ?? []).filter(
                (e) => (e as { key: string }).key !== ".metadata.ownerReferences.[].kind",
              ),
              { key: ".metadata.ownerReferences", operator: "DoesNotExist" },
              { key: ".spec.restartPolicy", operator: "In", values: ["Never"] },
            ],
          },
        },
      };
      return [write(f, stage), write("pod-complete-run-once.yaml", runOnce)];
    });
}

export async function up(topology: Topology, log: (line: string) => void): Promise<Federation> {
  const started = Date.now();
  requireBinaries();
  const table = new ProcessTable(testbedDir);
  const running = table.readState().processes.filter((p) => alive(p.pid));
  if (running.length) {
    throw new Error(`a testbed is already running (${running.map((p) => p.name).join(", ")}); stop it with \`make down\` first`);
  }
  const nats = natsPorts(topology);
  await assertPortsFree([
    ...topology.clusters.flatMap((c, i) =>
      Object.entries(clusterPorts(topology, i)).map(([component, port]) => ({ port, owner: `${c.name} ${component}` })),
    ),
    { port: nats.client, owner: "nats-server" },
    { port: nats.monitor, owner: "nats-server monitoring" },
  ]);

  const runDir = join(testbedDir, "run");
  rmSync(runDir, { recursive: true, force: true });
  mkdirSync(runDir, { recursive: true });
  const dirOf = (c: ClusterSpec) => join(runDir, c.name);

  log("starting etcd ×" + topology.clusters.length + " and nats-server");
  const natsRecord = table.start("nats-server", [
    bin("nats-server"),
    "-a",
    "127.0.0.1",
    "-p",
    String(nats.client),
    "-m",
    String(nats.monitor),
    "-js",
    "-sd",
    join(runDir, "nats"),
  ]);
  await Promise.all([
    ...topology.clusters.map((c, i) => startEtcd(table, c, clusterPorts(topology, i), dirOf(c))),
    waitFor("nats-server", () => probeOk(`http://127.0.0.1:${nats.monitor}/healthz?js-enabled-only=true`), {
      timeoutMs: 30_000,
      table,
      record: natsRecord,
    }),
  ]);

  const frontProxy = writeFrontProxy(join(runDir, "front-proxy"));
  const node = topology.hostNode ? nodeNetwork(topology) : undefined;
  log("starting kube-apiserver ×" + topology.clusters.length);
  const clusters = await Promise.all(
    topology.clusters.map((c, i) => startApiserver(table, c, clusterPorts(topology, i), dirOf(c), frontProxy, node)),
  );
  const members = clusters.filter((c) => c.spec.role === "member");
  const host = clusters.find((c) => c.spec.role === "host")!;
  const fleet = prepareFleetApi(host);
  writeFileSync(
    kubeconfigPath,
    kubeconfigYaml(
      clusters.map((c) => ({ name: c.spec.name, server: c.server, caFile: c.caFile, token: c.credentials.token })),
      host.spec.name,
    ),
    { mode: 0o600 },
  );

  const stages = writeStages(runDir, topology.podReadyDelayMs);
  log("starting kube-controller-manager, kube-scheduler and kwok in " + members.map((m) => m.spec.name).join(", "));
  await Promise.all([
    ...members.map((m) => startMember(table, m, stages, topology.metricsServer ?? false)),
    setUpHost(table, host, members, topology.metricsServer ?? false, `nats://127.0.0.1:${nats.client}`, node),
    // Pods reach every API server and NATS; no etcd (the chart's fleet API needs only the host's API).
    node ? startHostSide(table, host, runDir, node, [...clusters.map((c) => c.ports.apiserver), nats.client]) : undefined,
  ]);

  return { clusters, fleet, natsUrl: `nats://127.0.0.1:${nats.client}`, seconds: (Date.now() - started) / 1000 };
}

/** The front-proxy CA and client certificate, written once per run by the testbed-certs binary. */
function writeFrontProxy(dir: string): FrontProxy {
  const r = spawnSync(bin("testbed-certs"), [dir], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`testbed-certs ${dir} failed: ${r.stderr || r.error?.message}`);
  return {
    caFile: join(dir, "front-proxy-ca.crt"),
    certFile: join(dir, "front-proxy-client.crt"),
    keyFile: join(dir, "front-proxy-client.key"),
  };
}

/**
 * What `kubectl logs` shows for every container of a member: kwok serves this file (CRI log format)
 * on the node's kubelet port, and kube-apiserver proxies to it as to a kubelet. The line names the
 * member, so logs read through the fleet API show where they came from.
 */
function writeContainerLogs(m: RunningCluster): string {
  const file = join(m.dir, "container.log");
  writeFileSync(file, `2026-01-01T00:00:00.000000000Z stdout F hello from a pod in ${m.spec.name} (kwok's emulated kubelet)\n`);
  const config = join(m.dir, "kwok-logs.yaml");
  writeFileSync(
    config,
    stringify({
      apiVersion: "kwok.x-k8s.io/v1alpha1",
      kind: "ClusterLogs",
      metadata: { name: "testbed" },
      spec: { logs: [{ logsFile: file }] },
    }),
  );
  return config;
}

async function startMember(table: ProcessTable, m: RunningCluster, stages: string[], metrics: boolean): Promise<void> {
  const kwok = startKwok(table, m, [...stages, writeContainerLogs(m)]);
  await Promise.all([startControllerManager(table, m), startScheduler(table, m)]);
  const nodes = nodeManifests(m.spec);
  if (nodes.length === 0) return;
  await apply(m.spec.name, [
    ...nodes,
    ...storageManifests(
      m.spec,
      nodes.map((n) => (n as { metadata: { name: string } }).metadata.name),
    ),
  ]);
  await waitFor(
    `${m.spec.name}: ${nodes.length} kwok nodes Ready`,
    async () => {
      const out = await kubectl(m.spec.name, [
        "get",
        "nodes",
        "-o",
        'jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}',
      ]);
      return out.split("\n").filter((s) => s === "True").length === nodes.length;
    },
    { timeoutMs: 60_000, table, record: kwok, intervalMs: 300 },
  );
  if (metrics) await Promise.all([startMetricsServer(table, m), startMetricsAdapter(table, m)]);
}

/** The host's real node and the scheduler that places pods on it. */
async function startHostSide(
  table: ProcessTable,
  host: RunningCluster,
  runDir: string,
  node: NodeNetwork,
  forwarded: number[],
): Promise<void> {
  await Promise.all([startScheduler(table, host), startHostNode(table, host, runDir, node, forwarded)]);
}

async function setUpHost(
  table: ProcessTable,
  host: RunningCluster,
  members: RunningCluster[],
  metrics: boolean,
  natsUrl: string,
  node: NodeNetwork | undefined,
): Promise<void> {
  await Promise.all([
    startControllerManager(table, host, node ? HOST_NODE_CONTROLLERS : HOST_CONTROLLERS),
    metrics ? startMetricsAdapter(table, host) : undefined,
  ]);
  const crdDir = join(repoRoot, "charts", "spillway", "crds");
  await kubectl(host.spec.name, ["apply", "--server-side", "--field-manager=spillway-testbed", "-f", crdDir]);
  await kubectl(host.spec.name, ["wait", "--for=condition=Established", "--timeout=60s", "crd", "-l", "!nonexistent-label"]).catch(() =>
    kubectl(host.spec.name, ["wait", "--for=condition=Established", "--timeout=60s", "--all", "crd"]),
  );
  await apply(host.spec.name, [{ apiVersion: "v1", kind: "Namespace", metadata: { name: SYSTEM_NAMESPACE } }]);
  await installChart(host, SYSTEM_NAMESPACE, natsUrl, node !== undefined);
  // Members join as a user joins them: `kubectl spillway join`, so every scenario runs with the
  // least-privilege identity it makes in each member.
  await Promise.all(members.map((m) => joinMember(m, node)));
}

/**
 * `kubectl spillway join MEMBER` against the testbed's kubeconfig; with a host node, the member is
 * reached at the node's address, where the services' pods reach it too (and local processes alike).
 */
async function joinMember(m: RunningCluster, node: NodeNetwork | undefined): Promise<void> {
  const pluginDir = join(repoRoot, "packages", "kubectl-spillway", "bin");
  const args = [
    "spillway",
    "join",
    m.spec.name,
    `--kubeconfig=${kubeconfigPath}`,
    "--context=host",
    `--tier=${m.spec.tier}`,
    `--priority=${m.spec.priority ?? 100}`,
    ...(m.spec.region ? [`--region=${m.spec.region}`] : []),
    `--secret-namespace=${SYSTEM_NAMESPACE}`,
    ...(node ? [`--server=https://${node.address}:${m.ports.apiserver}`] : []),
  ];
  const env = { ...process.env, PATH: `${pluginDir}:${dirname(process.execPath)}:${process.env["PATH"] ?? ""}` };
  const r = await runCommand(bin("kubectl"), args, { env });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${r.stderr.trim() || `exit ${r.code}`}`);
}

/** Stops every process the testbed (and the demo) started; returns their names. */
export async function down(): Promise<string[]> {
  const runDir = join(testbedDir, "run");
  await drainHostNode(runDir, "host");
  const stopped = await new ProcessTable(testbedDir).stopAll();
  cleanUpHostNode(runDir);
  return stopped;
}
