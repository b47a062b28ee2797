/**
 * One cluster's real control plane as local processes: etcd and kube-apiserver for every cluster,
 * plus kube-controller-manager, kube-scheduler and kwok for members. Each start function returns
 * once its component answers its health endpoint, and throws with the log path if it dies first.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeCredentials, kubeconfigYaml, type ClusterCredentials } from "./credentials.ts";
import { bin } from "./paths.ts";
import { probe, probeOk } from "./probe.ts";
import { waitFor, type ProcessTable } from "./processes.ts";
import type { ClusterPorts, ClusterSpec, NodeNetwork } from "./topology.ts";

export interface RunningCluster {
  spec: ClusterSpec;
  ports: ClusterPorts;
  dir: string;
  credentials: ClusterCredentials;
  server: string;
  caFile: string;
  /** A kubeconfig for this cluster alone, used by its own components. */
  kubeconfig: string;
}

const STARTUP_TIMEOUT_MS = 90_000;

/** The front-proxy credentials every member apiserver uses with aggregated API servers. */
export interface FrontProxy {
  caFile: string;
  certFile: string;
  keyFile: string;
}

export async function startEtcd(table: ProcessTable, spec: ClusterSpec, ports: ClusterPorts, dir: string): Promise<void> {
  const name = `${spec.name}-etcd`;
  const record = table.start(name, [
    bin("etcd"),
    `--name=${spec.name}`,
    `--data-dir=${join(dir, "etcd")}`,
    `--listen-client-urls=http://127.0.0.1:${ports.etcdClient}`,
    `--advertise-client-urls=http://127.0.0.1:${ports.etcdClient}`,
    `--listen-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
    `--initial-advertise-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
    `--initial-cluster=${spec.name}=http://127.0.0.1:${ports.etcdPeer}`,
    // A throwaway test store: durability buys nothing and fsync costs seconds on a busy disk.
    "--unsafe-no-fsync",
    "--log-level=warn",
  ]);
  await waitFor(name, async () => (await probe(`http://127.0.0.1:${ports.etcdClient}/health`)).body.includes('"true"'), {
    timeoutMs: STARTUP_TIMEOUT_MS,
    table,
    record,
  });
}

/** Every testbed cluster's service-account issuer, and so its API audience: kube-apiserver's usual one. */
export const SERVICE_ACCOUNT_ISSUER = "https://kubernetes.default.svc";

/**
 * Flags every testbed kube-apiserver shares, the fleet's included: service accounts from the
 * cluster's keys, no admission of service-account tokens (kwok pods never run a kubelet, and the
 * plugin would reject pods until the "default" account exists), kwok's nodes reached by InternalIP
 * (127.0.0.1, where kwok serves container logs), and, given a front proxy, request-header
 * authentication for aggregated API servers (the apiserver proxies as front-proxy-client; the
 * extension server trusts its CA).
 */
export function sharedApiserverFlags(
  credentials: Pick<ClusterCredentials, "saKey" | "saPub">,
  frontProxy?: FrontProxy,
  issuer = SERVICE_ACCOUNT_ISSUER,
): string[] {
  return [
    `--service-account-issuer=${issuer}`,
    `--service-account-key-file=${credentials.saPub}`,
    `--service-account-signing-key-file=${credentials.saKey}`,
    "--service-cluster-ip-range=10.96.0.0/16",
    "--disable-admission-plugins=ServiceAccount",
    "--enable-priority-and-fairness=false",
    "--profiling=false",
    // Never publish a testbed apiserver as a `kubernetes` Service endpoint.
    "--endpoint-reconciler-type=none",
    "--kubelet-preferred-address-types=InternalIP",
    ...(frontProxy
      ? [
          `--requestheader-client-ca-file=${frontProxy.caFile}`,
          "--requestheader-allowed-names=front-proxy-client",
          "--requestheader-extra-headers-prefix=X-Remote-Extra-",
          "--requestheader-group-headers=X-Remote-Group",
          "--requestheader-username-headers=X-Remote-User",
          `--proxy-client-cert-file=${frontProxy.certFile}`,
          `--proxy-client-key-file=${frontProxy.keyFile}`,
        ]
      : []),
  ];
}

/**
 * With a host node (host-node.ts), every API server's certificate also names the node's address,
 * where pods reach it; the host publishes it as its `kubernetes` Service's endpoint and admits
 * pods' service-account tokens, as any cluster with nodes does.
 */
function nodeFlags(spec: ClusterSpec, node: NodeNetwork | undefined, shared: string[]): string[] {
  if (!node) return [...shared, "--advertise-address=127.0.0.1"];
  const host = spec.role === "host";
  return [
    ...shared.filter((f) => !(host && (f === "--disable-admission-plugins=ServiceAccount" || f === "--endpoint-reconciler-type=none"))),
    `--advertise-address=${node.address}`,
    ...(host ? ["--endpoint-reconciler-type=lease"] : []),
  ];
}

export async function startApiserver(
  table: ProcessTable,
  spec: ClusterSpec,
  ports: ClusterPorts,
  dir: string,
  frontProxy: FrontProxy,
  node?: NodeNetwork,
): Promise<RunningCluster> {
  const credentials = writeCredentials(join(dir, "pki"));
  const certDir = join(dir, "pki", "serving");
  mkdirSync(certDir, { recursive: true });
  const name = `${spec.name}-kube-apiserver`;
  const record = table.start(name, [
    bin("kube-apiserver"),
    `--etcd-servers=http://127.0.0.1:${ports.etcdClient}`,
    "--bind-address=127.0.0.1",
    `--secure-port=${ports.apiserver}`,
    `--cert-dir=${certDir}`,
    `--token-auth-file=${credentials.tokenFile}`,
    "--authorization-mode=RBAC",
    "--allow-privileged=true",
    ...nodeFlags(spec, node, sharedApiserverFlags(credentials, frontProxy)),
    "--v=1",
  ]);
  await waitFor(name, () => probeOk(`https://127.0.0.1:${ports.apiserver}/readyz`, credentials.token), {
    timeoutMs: STARTUP_TIMEOUT_MS,
    table,
    record,
  });
  const server = `https://127.0.0.1:${ports.apiserver}`;
  const caFile = join(certDir, "apiserver.crt");
  const kubeconfig = join(dir, "kubeconfig");
  writeFileSync(kubeconfig, kubeconfigYaml([{ name: spec.name, server, caFile, token: credentials.token }], spec.name), { mode: 0o600 });
  return { spec, ports, dir, credentials, server, caFile, kubeconfig };
}

/** Members run every controller but those that need a real network or cloud. */
export const MEMBER_CONTROLLERS = "*,-nodeipam,-service-lb-controller,-cloud-node-lifecycle,-route,-persistentvolume-expander";
/** The host holds only Spillway's objects: it needs garbage collection (owner references), namespace deletion, and tokens for ServiceAccounts (a member joined with `kubectl spillway join` may be the host itself). */
export const HOST_CONTROLLERS = "garbagecollector,namespace,serviceaccount,serviceaccount-token";
/**
 * With a host node the host runs pods (the chart's): what a Deployment, its PodDisruptionBudget and
 * its Service need, and the CA ConfigMap every pod's service-account token volume mounts.
 */
export const HOST_NODE_CONTROLLERS = `${HOST_CONTROLLERS},nodelifecycle,deployment,replicaset,disruption,endpointslice,root-ca-cert-publisher`;

/** kube-controller-manager: Deployments → ReplicaSets → Pods, node lifecycle, garbage collection. */
export async function startControllerManager(table: ProcessTable, c: RunningCluster, controllers = MEMBER_CONTROLLERS): Promise<void> {
  const name = `${c.spec.name}-kube-controller-manager`;
  const record = table.start(name, [
    bin("kube-controller-manager"),
    `--kubeconfig=${c.kubeconfig}`,
    `--authentication-kubeconfig=${c.kubeconfig}`,
    `--authorization-kubeconfig=${c.kubeconfig}`,
    "--bind-address=127.0.0.1",
    `--secure-port=${c.ports.controllerManager}`,
    `--cert-dir=${join(c.dir, "pki", "kcm")}`,
    "--leader-elect=false",
    "--use-service-account-credentials=false",
    `--service-account-private-key-file=${c.credentials.saKey}`,
    `--root-ca-file=${c.caFile}`,
    `--controllers=${controllers}`,
    "--kube-api-qps=200",
    "--kube-api-burst=400",
    "--concurrent-deployment-syncs=10",
    "--concurrent-replicaset-syncs=10",
    "--concurrent-statefulset-syncs=10",
    // The fault tests restart a member's kube-apiserver; after two restarts in a row the
    // controller-manager's watches back off for up to a minute, and with the default grace
    // (50 s) it would then declare every kwok node lost and mark all their pods NotReady, a
    // node failure nobody meant to inject. A kubelet-less testbed can afford a longer grace.
    "--node-monitor-grace-period=2m",
    "--profiling=false",
    "--v=1",
  ]);
  await waitFor(name, () => probeOk(`https://127.0.0.1:${c.ports.controllerManager}/healthz`), {
    timeoutMs: STARTUP_TIMEOUT_MS,
    table,
    record,
  });
}

export async function startScheduler(table: ProcessTable, c: RunningCluster): Promise<void> {
  const name = `${c.spec.name}-kube-scheduler`;
  const config = join(c.dir, "kube-scheduler.yaml");
  writeFileSync(
    config,
    JSON.stringify({
      apiVersion: "kubescheduler.config.k8s.io/v1",
      kind: "KubeSchedulerConfiguration",
      clientConnection: { kubeconfig: c.kubeconfig, qps: 200, burst: 400 },
      leaderElection: { leaderElect: false },
    }),
  );
  const record = table.start(name, [
    bin("kube-scheduler"),
    `--config=${config}`,
    `--authentication-kubeconfig=${c.kubeconfig}`,
    `--authorization-kubeconfig=${c.kubeconfig}`,
    "--bind-address=127.0.0.1",
    `--secure-port=${c.ports.scheduler}`,
    `--cert-dir=${join(c.dir, "pki", "scheduler")}`,
    "--profiling=false",
    "--v=1",
  ]);
  await waitFor(name, () => probeOk(`https://127.0.0.1:${c.ports.scheduler}/healthz`), { timeoutMs: STARTUP_TIMEOUT_MS, table, record });
}

/** kwok: keeps the fake nodes Ready (with leases) and moves scheduled pods to Running. */
export function startKwok(table: ProcessTable, c: RunningCluster, stageFiles: string[]) {
  return table.start(`${c.spec.name}-kwok`, [
    bin("kwok"),
    `--kubeconfig=${c.kubeconfig}`,
    "--manage-all-nodes=false",
    "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
    "--node-lease-duration-seconds=40",
    `--server-address=127.0.0.1:${c.ports.kwok}`,
    "--node-ip=127.0.0.1",
    // Nodes report kwok's own server as their kubelet endpoint, where it serves /metrics/resource.
    `--node-port=${c.ports.kwok}`,
    `--cidr=10.${100 + (c.ports.kwok % 100)}.0.0/16`,
    ...stageFiles.map((f) => `--config=${f}`),
  ]);
}
