/**
 * Runs a Spillway service as the real process a user deploys, against the e2e host cluster and
 * NATS, with its own health port.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { appendFileSync, existsSync, mkdirSync } from "node:fs";
import { identityKubeconfig, RELEASE, SERVICES, type ServiceName } from "@spillway/testbed";
import { contextOf, e2eKubeconfig, natsUrl, repoRoot } from "./env.ts";
import { kubectl } from "./kubectl.ts";
import { eventually } from "./helpers.ts";

export { SERVICES, type ServiceName };

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface RunningService {
  name: ServiceName;
  identity: string;
  child: ChildProcess;
  healthUrl: string;
  /** host:port of its gRPC server. */
  grpcAddr: string;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * The kubeconfig a service runs with: on the testbed, the host as the chart's ServiceAccount for
 * that service (so every scenario proves the chart's RBAC is enough) — missing there, the run
 * fails rather than quietly running the service as an admin; on clusters of one's own
 * (SPILLWAY_E2E_KUBECONFIG), which have no such identities, the suite's kubeconfig, said once.
 */
export function serviceKubeconfig(name: ServiceName): { kubeconfig: string; context: string } {
  const own = identityKubeconfig(name);
  if (existsSync(own)) return { kubeconfig: own, context: "host" };
  if (!process.env["SPILLWAY_E2E_KUBECONFIG"])
    throw new Error(
      `${name} has no identity on the testbed (${own} is missing): the testbed writes one per service when it installs the chart's RBAC (node testbed/src/cli.ts up); ` +
        "without it the service would run with the suite's admin rights and prove nothing about the chart's",
    );
  if (!warnedAdmin)
    console.warn("services run with the suite's kubeconfig (SPILLWAY_E2E_KUBECONFIG): the chart's RBAC is not what they use");
  warnedAdmin = true;
  return { kubeconfig: e2eKubeconfig, context: contextOf("host") };
}
let warnedAdmin = false;

/** The chart's release namespace on the testbed, where its Roles grant each service its Lease. */
const RELEASE_NAMESPACE = "spillway-system";

/**
 * Suites elect leaders in namespaces of their own (so no suite inherits another's Lease). A user
 * who moves `--lease-namespace` grants the same Lease rule there; this does so from the chart's own
 * Role for the service, so the rights stay exactly the chart's.
 */
export async function grantLeasesIn(namespace: string, service: ServiceName): Promise<void> {
  const key = `${namespace}/${service}`;
  // Once per namespace and service: a suite restarting a service need not read and apply it again.
  if (granted.has(key)) return;
  const role = `${RELEASE}-${service}`;
  const r = await kubectl("host", ["get", "role", role, "-n", RELEASE_NAMESPACE, "-o", "json"]);
  if (r.code !== 0) throw new Error(`read the chart's Role ${RELEASE_NAMESPACE}/${role}: ${r.stderr}`);
  const rules = (JSON.parse(r.stdout) as { rules: Array<{ resources: string[] }> }).rules.filter((x) => x.resources.includes("leases"));
  const objects = [
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: role, namespace }, rules },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: role, namespace },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role },
      subjects: [{ kind: "ServiceAccount", name: role, namespace: RELEASE_NAMESPACE }],
    },
  ];
  const a = await kubectl("host", ["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }));
  if (a.code !== 0) throw new Error(`grant ${service} its Lease in ${namespace}: ${a.stderr}`);
  granted.add(key);
}
const granted = new Set<string>();

export async function startService(name: ServiceName, identity: string, extraArgs: string[] = []): Promise<RunningService> {
  const { kubeconfig, context } = serviceKubeconfig(name);
  const leaseNs = [...extraArgs]
    .reverse()
    .find((a) => a.startsWith("--lease-namespace="))
    ?.slice("--lease-namespace=".length);
  if (kubeconfig !== e2eKubeconfig && leaseNs && leaseNs !== RELEASE_NAMESPACE) await grantLeasesIn(leaseNs, name);
  const port = await freePort();
  const grpcPort = await freePort();
  const child = spawn(
    process.execPath,
    [
      join(repoRoot, "services", name, "src", "main.ts"),
      `--kubeconfig=${kubeconfig}`,
      `--context=${context}`,
      `--nats-url=${natsUrl}`,
      `--health-addr=127.0.0.1:${port}`,
      `--identity=${identity}`,
      `--grpc-addr=127.0.0.1:${grpcPort}`,
      ...extraArgs,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  // SPILLWAY_E2E_LOG_DIR keeps each process's output in a file of its own, a killed one's too.
  const logDir = process.env["SPILLWAY_E2E_LOG_DIR"];
  const logFile = logDir ? join(logDir, `${identity}.log`) : undefined;
  if (logDir) mkdirSync(logDir, { recursive: true });
  const keep = (d: Buffer) => {
    out += d.toString();
    if (logFile) appendFileSync(logFile, d);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const grpcFlag = [...extraArgs].reverse().find((a) => a.startsWith("--grpc-addr="));
  const grpcAddr = grpcFlag ? grpcFlag.slice("--grpc-addr=".length) : `127.0.0.1:${grpcPort}`;
  return { name, identity, child, healthUrl: `http://127.0.0.1:${port}`, grpcAddr, output: () => out, exited };
}

export async function waitReady(s: RunningService, timeoutMs = 30_000): Promise<void> {
  await eventually(
    `${s.name}/${s.identity} /readyz`,
    async () => {
      if (s.child.exitCode !== null) throw new Error(`${s.name} exited with ${s.child.exitCode}:\n${s.output()}`);
      const r = await fetch(`${s.healthUrl}/readyz`).catch(() => undefined);
      return r?.status === 200 ? true : undefined;
    },
    timeoutMs,
  );
}

/** The sum over all label sets of a metric the service exposes on /metrics (0 when absent). */
/** The sum of a metric's series, or of those carrying every label given. */
export async function metricValue(s: RunningService, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${s.healthUrl}/metrics`)).text();
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  return [...text.matchAll(new RegExp(`^${name}(\\{[^}]*\\})? ([-+0-9.eE]+)`, "gm"))]
    .filter((m) => wanted.every((l) => (m[1] ?? "").includes(l)))
    .reduce((sum, m) => sum + Number(m[2]), 0);
}

/** 1 when the service's spillway_leader gauge says this replica leads. */
export const leaderGauge = (s: RunningService) => metricValue(s, "spillway_leader");

export async function stop(s: RunningService, signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
  if (s.child.exitCode === null) s.child.kill(signal);
  return s.exited;
}
