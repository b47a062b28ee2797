/**
 * A real node for the testbed's host, so the chart's pods run as a user's would: containerd and
 * runc (Debian's packages), CNI's bridge plugin, and the kubelet and kube-proxy from the testbed's
 * own Kubernetes build (testbed/build.sh host-node). Members stay on kwok.
 *
 * What this machine forces, and the choice made each time (README "The host node"):
 * - runc may not lower a process's oom_score_adj here (`nsexec: failed to update
 *   /proc/self/oom_score_adj: Permission denied`), so containerd runs with
 *   `restrict_oom_score_adj`, as rootless runtimes do: the kubelet's OOM scores are clamped.
 * - No registry serves `registry.k8s.io/pause`: the sandbox image is made here (testbed/go/pause).
 * - The testbed's API servers and NATS listen on loopback only, which a pod cannot reach; the node
 *   gets an address of its own on the loopback interface (reachable from this machine's pods and
 *   processes, from nowhere else) and a forwarder there (forward.ts) to those loopback ports. The
 *   host's `kubernetes` Service points at it, and every testbed API server's certificate names it.
 * - The kubelet's API (logs, exec) authenticates nobody: it listens on the node address only.
 * - Cluster DNS is CoreDNS (testbed/go/coredns) as a process on the node address, not a pod: a
 *   DNS pod would need an image of its own, and what it serves is the same.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { stringify } from "yaml";
import type { RunningCluster } from "./control-plane.ts";
import { kubectl } from "./kubectl.ts";
import { buildah, buildahOk } from "./image.ts";
import { bin, repoRoot, testbedDir } from "./paths.ts";
import { probeOk } from "./probe.ts";
import { delay, waitFor, type ProcessTable } from "./processes.ts";
import type { NodeNetwork } from "./topology.ts";

/** The sandbox image the node's containerd runs every pod with (made by buildPauseImage). */
export const PAUSE_IMAGE = "localhost/pause:testbed";
/** containerd's namespace for what the kubelet runs. */
const CRI_NAMESPACE = "k8s.io";
const CNI_BIN_DIR = "/usr/lib/cni";
const CNI_NETWORK = "spillway-testbed";
const CLUSTER_DOMAIN = "cluster.local";
/** CoreDNS's health endpoint, on the node's own address (one per testbed), as its port 53 is. */
const DNS_HEALTH_PORT = 8080;

export interface HostNode {
  network: NodeNetwork;
  dir: string;
  socket: string;
}

const nodeDir = (runDir: string) => join(runDir, "node");
const stateFile = (runDir: string) => join(nodeDir(runDir), "node.json");

/** The host node of the running testbed (SPILLWAY_TESTBED_DIR), if it has one. */
export const runningHostNode = (): HostNode | undefined => hostNodeOf(join(testbedDir, "run"));

/** The running host node of the testbed whose run directory this is, if it has one. */
export function hostNodeOf(runDir: string): HostNode | undefined {
  return existsSync(stateFile(runDir)) ? (JSON.parse(readFileSync(stateFile(runDir), "utf8")) as HostNode) : undefined;
}

function run(command: string, args: string[], what: string): string {
  const r = spawnSync(command, args, { encoding: "utf8" });
  if (r.status !== 0)
    throw new Error(`host node: ${what}: ${command} ${args.join(" ")}: ${r.stderr?.trim() || r.error?.message || `exit ${r.status}`}`);
  return r.stdout;
}

const tryRun = (command: string, args: string[]) => spawnSync(command, args, { encoding: "utf8" });

const ctrArgs = (node: HostNode, args: string[]) => ["--address", node.socket, "--namespace", CRI_NAMESPACE, ...args];

/** `ctr` against the node's containerd. */
function ctr(node: HostNode, args: string[]): string {
  return run("ctr", ctrArgs(node, args), "ctr");
}

/** The containers the node's containerd still runs (none once it is stopped). */
const runningTasks = (node: HostNode) =>
  tryRun("ctr", ctrArgs(node, ["tasks", "ls", "-q"]))
    .stdout.split("\n")
    .filter(Boolean);

/** Puts an image of this machine's buildah storage into the node's containerd, as `kind load` does for kind. */
export function loadImage(node: HostNode, image: string): void {
  const archive = join(node.dir, "load.tar");
  rmSync(archive, { force: true });
  buildahOk(["push", "--quiet", image, `oci-archive:${archive}:${image}`]);
  try {
    ctr(node, ["images", "import", "--no-unpack=false", archive]);
  } finally {
    rmSync(archive, { force: true });
  }
}

/** The pause image, from the testbed's pause binary, committed to buildah's storage. */
function buildPauseImage(): void {
  const container = buildahOk(["from", "--quiet", "scratch"]);
  try {
    buildahOk(["copy", "--quiet", container, bin("pause"), "/pause"]);
    buildahOk(["config", "--entrypoint", '["/pause"]', "--user", "65535:65535", container]);
    buildahOk(["commit", "--quiet", container, PAUSE_IMAGE]);
  } finally {
    buildah(["rm", container]);
  }
}

/**
 * containerd's socket: in the node's directory unless that path is too long for a Unix socket
 * (108 bytes, and containerd adds `.ttrpc`), as a deep checkout's would be.
 */
function socketPath(dir: string, network: NodeNetwork): string {
  const local = join(dir, "containerd.sock");
  return local.length <= 90 ? local : join("/run", `spillway-${network.bridge}`, "containerd.sock");
}

function containerdConfig(dir: string, network: NodeNetwork, socket: string): string {
  const netDir = join(dir, "net.d");
  mkdirSync(netDir, { recursive: true });
  writeFileSync(
    join(netDir, "10-spillway.conflist"),
    JSON.stringify({
      cniVersion: "1.0.0",
      name: CNI_NETWORK,
      plugins: [
        {
          type: "bridge",
          bridge: network.bridge,
          isGateway: true,
          ipMasq: true,
          hairpinMode: true,
          ipam: {
            type: "host-local",
            ranges: [[{ subnet: network.podCIDR }]],
            routes: [{ dst: "0.0.0.0/0" }],
            dataDir: join(dir, "ipam"),
          },
        },
        { type: "portmap", capabilities: { portMappings: true } },
        { type: "loopback" },
      ],
    }),
  );
  return [
    "version = 2",
    `root = ${JSON.stringify(join(dir, "containerd", "root"))}`,
    `state = ${JSON.stringify(join(dir, "containerd", "state"))}`,
    "[grpc]",
    `  address = ${JSON.stringify(socket)}`,
    '[plugins."io.containerd.grpc.v1.cri"]',
    `  sandbox_image = ${JSON.stringify(PAUSE_IMAGE)}`,
    "  restrict_oom_score_adj = true",
    '  [plugins."io.containerd.grpc.v1.cri".cni]',
    `    bin_dir = ${JSON.stringify(CNI_BIN_DIR)}`,
    `    conf_dir = ${JSON.stringify(netDir)}`,
    '  [plugins."io.containerd.grpc.v1.cri".containerd]',
    '    snapshotter = "overlayfs"',
    "",
  ].join("\n");
}

/** What the node needs on this machine, named with where it comes from when missing. */
function requirePrerequisites(): void {
  if (process.getuid?.() !== 0)
    throw new Error("host node: a kubelet and containerd need root (unset SPILLWAY_TESTBED_HOST_NODE to run without)");
  const missing = [
    ["containerd", "containerd"],
    ["runc", "runc"],
    ["ctr", "containerd"],
    ["buildah", "buildah"],
    ["ip", "iproute2"],
    ["iptables", "iptables"],
  ].filter(([command]) => tryRun("sh", ["-c", `command -v ${command}`]).status !== 0);
  if (!existsSync(join(CNI_BIN_DIR, "bridge"))) missing.push(["bridge (CNI)", "containernetworking-plugins"]);
  for (const b of ["kubelet", "kube-proxy", "pause", "coredns"])
    if (!existsSync(bin(b))) missing.push([bin(b), "testbed/build.sh host-node"]);
  if (missing.length)
    throw new Error(
      `host node: missing ${missing.map(([what, from]) => `${what} (${from})`).join(", ")}; testbed/build.sh host-node installs them`,
    );
}

/**
 * Starts the host's node and waits until it is Ready: address, forwarder, containerd (with the
 * pause image), kubelet, kube-proxy. `forwarded` are the loopback ports pods must reach.
 */
export async function startHostNode(
  table: ProcessTable,
  host: RunningCluster,
  runDir: string,
  network: NodeNetwork,
  forwarded: number[],
): Promise<HostNode> {
  requirePrerequisites();
  const dir = nodeDir(runDir);
  mkdirSync(dir, { recursive: true });
  const node: HostNode = { network, dir, socket: socketPath(dir, network) };
  mkdirSync(dirname(node.socket), { recursive: true });
  writeFileSync(stateFile(runDir), JSON.stringify(node));

  const addr = tryRun("ip", ["addr", "add", `${network.address}/32`, "dev", "lo"]);
  if (addr.status !== 0 && !addr.stderr.includes("File exists"))
    throw new Error(`host node: ip addr add ${network.address}: ${addr.stderr}`);
  // Pods on the bridge reach Services only if bridged frames pass iptables (kube-proxy's rules).
  writeFileSync("/proc/sys/net/bridge/bridge-nf-call-iptables", "1");

  const forward = table.start("host-node-forwarder", [
    process.execPath,
    join(repoRoot, "testbed", "src", "forward.ts"),
    network.address,
    ...forwarded.map(String),
  ]);
  const config = join(dir, "containerd.toml");
  writeFileSync(config, containerdConfig(dir, network, node.socket));
  const containerd = table.start("host-node-containerd", ["containerd", "--config", config]);
  await waitFor("host-node-containerd", async () => tryRun("ctr", ctrArgs(node, ["version"])).status === 0, {
    timeoutMs: 30_000,
    table,
    record: containerd,
  });
  await waitFor(
    "host-node-forwarder",
    async () => probeOk(`https://${network.address}:${host.ports.apiserver}/readyz`, host.credentials.token),
    {
      timeoutMs: 30_000,
      table,
      record: forward,
    },
  );
  buildPauseImage();
  loadImage(node, PAUSE_IMAGE);

  // Cluster DNS, as every distribution ships it: Service names of the host, anything else forwarded.
  const corefile = join(dir, "Corefile");
  writeFileSync(
    corefile,
    [
      ".:53 {",
      `  bind ${network.address}`,
      "  errors",
      `  health ${network.address}:${DNS_HEALTH_PORT}`,
      `  kubernetes ${CLUSTER_DOMAIN} in-addr.arpa ip6.arpa {`,
      `    kubeconfig ${host.kubeconfig} ${host.spec.name}`,
      "    pods insecure",
      "    fallthrough in-addr.arpa ip6.arpa",
      "  }",
      "  forward . /etc/resolv.conf",
      "  cache 30",
      "}",
      "",
    ].join("\n"),
  );
  const dns = table.start("host-node-coredns", [bin("coredns"), "-conf", corefile]);
  await waitFor("host-node-coredns", () => probeOk(`http://${network.address}:${DNS_HEALTH_PORT}/health`), {
    timeoutMs: 30_000,
    table,
    record: dns,
  });

  const kubeletConfig = join(dir, "kubelet.yaml");
  writeFileSync(
    kubeletConfig,
    stringify({
      apiVersion: "kubelet.config.k8s.io/v1beta1",
      kind: "KubeletConfiguration",
      address: network.address,
      // The host runs no kwok, metrics-server or its port's block's spare: kubelet and kube-proxy
      // take them. Its readiness is the Node's Ready condition, so no healthz port of its own.
      port: host.ports.kwok,
      healthzPort: 0,
      readOnlyPort: 0,
      cgroupDriver: "cgroupfs",
      // This machine runs cgroup v1 and has swap accounting the kubelet would refuse.
      failCgroupV1: false,
      failSwapOn: false,
      containerRuntimeEndpoint: `unix://${node.socket}`,
      authentication: { anonymous: { enabled: true }, webhook: { enabled: false } },
      authorization: { mode: "AlwaysAllow" },
      enforceNodeAllocatable: [],
      // A test machine's disk: never evict or collect images because another test filled it.
      evictionHard: { "memory.available": "100Mi" },
      imageGCHighThresholdPercent: 100,
      imageGCLowThresholdPercent: 99,
      serializeImagePulls: false,
      resolvConf: "/etc/resolv.conf",
      clusterDNS: [network.address],
      clusterDomain: CLUSTER_DOMAIN,
    }),
  );
  const kubelet = table.start("host-node-kubelet", [
    bin("kubelet"),
    `--config=${kubeletConfig}`,
    `--kubeconfig=${host.kubeconfig}`,
    `--hostname-override=${network.name}`,
    `--node-ip=${network.address}`,
    `--root-dir=${join(dir, "kubelet")}`,
    `--cert-dir=${join(dir, "kubelet", "pki")}`,
    "--v=1",
  ]);
  const proxyConfig = join(dir, "kube-proxy.yaml");
  writeFileSync(
    proxyConfig,
    stringify({
      apiVersion: "kubeproxy.config.k8s.io/v1alpha1",
      kind: "KubeProxyConfiguration",
      mode: "iptables",
      clusterCIDR: network.podCIDR,
      hostnameOverride: network.name,
      bindAddress: network.address,
      healthzBindAddress: `127.0.0.1:${host.ports.kubeProxy}`,
      metricsBindAddress: `127.0.0.1:${host.ports.metricsServer}`,
      clientConnection: { kubeconfig: host.kubeconfig },
      // Leave this machine's conntrack table size alone: not ours to raise.
      conntrack: { maxPerCore: 0 },
    }),
  );
  const proxy = table.start("host-node-kube-proxy", [bin("kube-proxy"), `--config=${proxyConfig}`, "--v=1"]);
  await waitFor(
    `host node ${network.name} Ready`,
    async () =>
      (await kubectl(host.spec.name, ["get", "node", network.name, "-o", 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']).catch(
        () => "",
      )) === "True",
    { timeoutMs: 90_000, table, record: kubelet, intervalMs: 500 },
  );
  await waitFor("host-node-kube-proxy", () => probeOk(`http://127.0.0.1:${host.ports.kubeProxy}/healthz`), {
    timeoutMs: 30_000,
    table,
    record: proxy,
  });
  return node;
}

/**
 * Before the processes stop: the node's pods are deleted while the kubelet still runs, so it
 * tears down their sandboxes (network included) as on any node; what it leaves is killed.
 */
export async function drainHostNode(runDir: string, hostContext: string): Promise<void> {
  const node = hostNodeOf(runDir);
  if (!node) return;
  await kubectl(hostContext, [
    "delete",
    "pods",
    "--all-namespaces",
    `--field-selector=spec.nodeName=${node.network.name}`,
    "--grace-period=0",
    "--force",
    "--wait=false",
  ]).catch(() => undefined);
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && runningTasks(node).length > 0) await delay(500);
  for (const task of runningTasks(node)) {
    tryRun("ctr", ctrArgs(node, ["tasks", "kill", "--signal", "SIGKILL", task]));
    tryRun("ctr", ctrArgs(node, ["tasks", "delete", "--force", task]));
  }
}

/**
 * What the CNI plugins (a pod's masquerade chain, removed only by a teardown that may not have
 * run) and the kubelet (its firewall and canary chains) left in this machine's iptables.
 */
function removeIptablesRules(): void {
  const ipt = (args: string[]) => tryRun("iptables", ["-w", ...args]);
  const cniChains = new Set<string>();
  const rules = ipt(["-t", "nat", "-S", "POSTROUTING"]).stdout.split("\n");
  for (const rule of rules.reverse()) {
    if (!rule.startsWith("-A POSTROUTING") || !rule.includes(`name: \\"${CNI_NETWORK}\\"`)) continue;
    const chain = / -j (CNI-\S+)/.exec(rule)?.[1];
    const source = / -s (\S+)/.exec(rule)?.[1];
    if (!chain || !source) continue;
    cniChains.add(chain);
    const comment = /--comment "((?:[^"\\]|\\.)*)"/.exec(rule)?.[1]?.replace(/\\"/g, '"');
    ipt(["-t", "nat", "-D", "POSTROUTING", "-s", source, "-m", "comment", "--comment", comment ?? "", "-j", chain]);
  }
  for (const chain of cniChains) {
    ipt(["-t", "nat", "-F", chain]);
    ipt(["-t", "nat", "-X", chain]);
  }
  for (const hook of ["INPUT", "OUTPUT"]) ipt(["-t", "filter", "-D", hook, "-j", "KUBE-FIREWALL"]);
  for (const [table, chain] of [
    ["filter", "KUBE-FIREWALL"],
    ["filter", "KUBE-KUBELET-CANARY"],
    ["nat", "KUBE-KUBELET-CANARY"],
    ["mangle", "KUBE-KUBELET-CANARY"],
    ["mangle", "KUBE-IPTABLES-HINT"],
  ] as const) {
    ipt(["-t", table, "-F", chain]);
    ipt(["-t", table, "-X", chain]);
  }
}

/** After the processes stopped: kube-proxy's rules, the bridge and the node's address go. */
export function cleanUpHostNode(runDir: string): void {
  const node = hostNodeOf(runDir);
  if (!node) return;
  // A container's shim outlives containerd by design; with containerd stopped nobody will reap it.
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    const cmdline = (() => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      } catch {
        return [];
      }
    })();
    if (cmdline[0]?.endsWith("containerd-shim-runc-v2") && cmdline[cmdline.indexOf("-address") + 1] === node.socket) {
      try {
        process.kill(Number(pid), "SIGKILL");
      } catch {
        // Gone already.
      }
    }
  }
  if (existsSync(bin("kube-proxy"))) tryRun(bin("kube-proxy"), ["--cleanup"]);
  // The kubelet mounts its root directory on itself (and volumes below it): unmount, deepest first.
  const mounts = readFileSync("/proc/self/mounts", "utf8")
    .split("\n")
    .map((line) => line.split(" ")[1] ?? "")
    .filter((target) => target === node.dir || target.startsWith(`${node.dir}/`))
    .sort((a, b) => b.length - a.length);
  for (const target of mounts) tryRun("umount", [target]);
  removeIptablesRules();
  tryRun("ip", ["link", "delete", node.network.bridge]);
  tryRun("ip", ["addr", "del", `${node.network.address}/32`, "dev", "lo"]);
  rmSync(stateFile(runDir), { force: true });
}
