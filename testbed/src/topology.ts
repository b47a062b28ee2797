/**
 * The testbed's shape: which clusters, which simulated nodes, which ports. Defaults follow the
 * foundation issue (two IDC clusters of 4 × 16 CPU / 64Gi with one 8-GPU node each, one cloud
 * cluster of 8 nodes with 16 GPUs in all); a JSON file named by SPILLWAY_TESTBED_CONFIG overrides
 * any of it. Pure data and pure functions: unit-tested without starting anything.
 */
import { readFileSync } from "node:fs";

export interface NodePool {
  count: number;
  cpu: string;
  memory: string;
  gpus?: number;
  ephemeralStorage?: string;
  pods?: number;
  labels?: Record<string, string>;
}

export interface ClusterSpec {
  name: string;
  role: "host" | "member";
  tier?: "idc" | "cloud";
  priority?: number;
  region?: string;
  nodePools?: NodePool[];
}

export interface Topology {
  clusters: ClusterSpec[];
  /** First port; each cluster takes a block of 10 after it, NATS the block after the clusters. */
  portBase: number;
  /** How long kwok waits before marking a scheduled pod Running and Ready. */
  podReadyDelayMs: number;
  /**
   * Start metrics-server in every member (the `metrics.k8s.io` API over kwok's emulated kubelet
   * metrics) and the custom/external metrics adapter on the host. On unless
   * SPILLWAY_TESTBED_METRICS=0: the federated autoscaler and its demo need both.
   */
  metricsServer?: boolean;
  /**
   * Give the host a real node: containerd, runc, CNI, a kubelet and kube-proxy (host-node.ts), so
   * the chart's pods run. Needs root; on when SPILLWAY_TESTBED_HOST_NODE=1 (`make test` as root).
   */
  hostNode?: boolean;
}

/** A member of one of the default fleet's two shapes. */
const memberOf =
  (tier: "idc" | "cloud", nodePools: NodePool[]) =>
  (name: string, priority: number, region: string): ClusterSpec => ({ name, role: "member", tier, priority, region, nodePools });

/** An IDC cluster of the default fleet: 4 nodes of 16 CPU / 64Gi, one of them with 8 GPUs. */
const idcCluster = memberOf("idc", [
  { count: 3, cpu: "16", memory: "64Gi" },
  { count: 1, cpu: "16", memory: "64Gi", gpus: 8 },
]);

/** A cloud cluster of the default fleet: 8 nodes of 16 CPU / 64Gi, four of them with 4 GPUs. */
const cloudCluster = memberOf("cloud", [
  { count: 4, cpu: "16", memory: "64Gi" },
  { count: 4, cpu: "16", memory: "64Gi", gpus: 4 },
]);

const IDC_REGIONS = ["dc-east", "dc-west"];

/**
 * The host and `idc` IDC plus `cloud` cloud members of the default shapes, named idc-1…, cloud-1…,
 * IDC ranked first in order, then cloud: (2, 1) is the default fleet; (4, 8) the twelve-member one.
 */
export function fleetOf(idc: number, cloud: number): ClusterSpec[] {
  return [
    { name: "host", role: "host" },
    ...Array.from({ length: idc }, (_, i) => idcCluster(`idc-${i + 1}`, 10 * (i + 1), IDC_REGIONS[i] ?? `dc-${i + 1}`)),
    ...Array.from({ length: cloud }, (_, i) => cloudCluster(`cloud-${i + 1}`, 100 + i, `cloud-region-${i + 1}`)),
  ];
}

export const defaultTopology: Topology = {
  portBase: 17000,
  podReadyDelayMs: 1000,
  metricsServer: true,
  clusters: fleetOf(2, 1),
};

/** Ports of one cluster's components, derived from its index so runs never collide internally. */
export interface ClusterPorts {
  etcdClient: number;
  etcdPeer: number;
  apiserver: number;
  controllerManager: number;
  scheduler: number;
  kwok: number;
  metricsServer: number;
  /** The cluster's metrics adapter takes test-written values here (plain HTTP, loopback). */
  metricsWrite: number;
  /**
   * The cluster's custom metrics adapter: in a member it serves Pods metrics of the member's own
   * pods; on the host, Object and External metrics.
   */
  metricsAdapter: number;
  /** Host only: the fleet API's kube-apiserver, and the gateway's etcd-API shim it stores members' resources in. */
  fleetApiserver: number;
  fleetStorage: number;
  /** Host only, with a host node: kube-proxy's health endpoint (the kubelet takes the host's unused kwok and metrics-server ports). */
  kubeProxy: number;
}

/** Ports per cluster: those below. */
const BLOCK = 12;

export function clusterPorts(topology: Topology, index: number): ClusterPorts {
  const base = topology.portBase + BLOCK * index;
  return {
    etcdClient: base,
    etcdPeer: base + 1,
    apiserver: base + 2,
    controllerManager: base + 3,
    scheduler: base + 4,
    kwok: base + 5,
    metricsServer: base + 6,
    metricsWrite: base + 7,
    fleetApiserver: base + 8,
    fleetStorage: base + 9,
    metricsAdapter: base + 10,
    kubeProxy: base + 11,
  };
}

/**
 * The host node's network, one per testbed so a demo and `make test` never share one: its address
 * (on the loopback interface: every local process and pod reaches it, nothing off this machine
 * does), the pods' CIDR and the CNI bridge that carries it, all derived from the port base.
 */
export interface NodeNetwork {
  name: string;
  address: string;
  podCIDR: string;
  bridge: string;
}

export function nodeNetwork(topology: Pick<Topology, "portBase">): NodeNetwork {
  const slot = Math.floor(topology.portBase / 1000) % 256;
  return { name: "spillway-node", address: `10.250.${slot}.1`, podCIDR: `10.244.${slot}.0/24`, bridge: `spw${slot}` };
}

export function natsPorts(topology: Topology): { client: number; monitor: number } {
  const base = topology.portBase + BLOCK * topology.clusters.length;
  return { client: base, monitor: base + 1 };
}

/** Health and gRPC ports of the Spillway services the demo starts: two blocks after NATS's. */
export function servicePorts(topology: Topology, index: number): { health: number; grpc: number } {
  const base = topology.portBase + BLOCK * topology.clusters.length + 10;
  return { health: base + index, grpc: base + 10 + index };
}

/** Validates a topology, naming the offending entry. */
export function validateTopology(t: Topology): Topology {
  const names = new Set<string>();
  const hosts = t.clusters.filter((c) => c.role === "host");
  if (hosts.length !== 1) throw new Error(`testbed topology: exactly one cluster must have role "host", found ${hosts.length}`);
  for (const c of t.clusters) {
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(c.name))
      throw new Error(`testbed topology: cluster name ${JSON.stringify(c.name)} is not a DNS label`);
    if (names.has(c.name)) throw new Error(`testbed topology: cluster ${c.name} is listed twice`);
    names.add(c.name);
    if (c.role === "member" && !c.tier) throw new Error(`testbed topology: member ${c.name} needs a tier (idc or cloud)`);
    for (const pool of c.nodePools ?? []) {
      if (!Number.isInteger(pool.count) || pool.count < 0)
        throw new Error(`testbed topology: ${c.name}: node pool count must be a non-negative integer`);
    }
  }
  // Linux hands out 32768+ as ephemeral source ports; a listener there can lose its port to any
  // outgoing connection between our free-port check and its bind.
  const lastPort = t.portBase + BLOCK * t.clusters.length + 30;
  if (!Number.isInteger(t.portBase) || t.portBase < 1024 || lastPort >= 32768) {
    throw new Error(
      `testbed topology: portBase ${t.portBase} must be >= 1024 and leave its ports (up to ${lastPort}) below the ephemeral range at 32768`,
    );
  }
  if (!Number.isInteger(t.podReadyDelayMs) || t.podReadyDelayMs < 0)
    throw new Error("testbed topology: podReadyDelayMs must be a non-negative integer");
  return t;
}

/** The default topology with the overrides of SPILLWAY_TESTBED_CONFIG, if set. */
export function loadTopology(env: NodeJS.ProcessEnv = process.env): Topology {
  const file = env["SPILLWAY_TESTBED_CONFIG"];
  const overrides: Partial<Topology> = file ? (JSON.parse(readFileSync(file, "utf8")) as Partial<Topology>) : {};
  const t: Topology = { ...defaultTopology, ...overrides };
  if (env["SPILLWAY_TESTBED_PORT_BASE"]) t.portBase = Number(env["SPILLWAY_TESTBED_PORT_BASE"]);
  if (env["SPILLWAY_TESTBED_POD_READY_DELAY_MS"]) t.podReadyDelayMs = Number(env["SPILLWAY_TESTBED_POD_READY_DELAY_MS"]);
  if (env["SPILLWAY_TESTBED_METRICS"]) t.metricsServer = env["SPILLWAY_TESTBED_METRICS"] === "1";
  if (env["SPILLWAY_TESTBED_HOST_NODE"]) t.hostNode = env["SPILLWAY_TESTBED_HOST_NODE"] === "1";
  const members = env["SPILLWAY_TESTBED_MEMBERS"];
  if (members) {
    const m = /^(\d+),(\d+)$/.exec(members);
    if (!m) throw new Error(`testbed topology: SPILLWAY_TESTBED_MEMBERS=${members}: want IDC,CLOUD counts, e.g. 4,8`);
    t.clusters = fleetOf(Number(m[1]), Number(m[2]));
  }
  return validateTopology(t);
}
