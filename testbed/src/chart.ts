/**
 * The way a user installs Spillway, on the testbed's host: `helm upgrade --install` of
 * charts/spillway (real Helm, built by build.sh), then one kubeconfig per service made from ITS
 * ServiceAccount's token (`kubectl create token`). The demo and the e2e suite run every service
 * with these, so the chart's least-privilege RBAC is proven enough by every scenario. The services
 * run as local processes under the same identities the pods would have.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RunningCluster } from "./control-plane.ts";
import { kubeconfigYaml } from "./credentials.ts";
import { kubectl } from "./kubectl.ts";
import { bin, kubeconfigPath, repoRoot, testbedDir } from "./paths.ts";
import { runCommand, type CommandResult } from "./run-command.ts";

export const CHART_DIR = join(repoRoot, "charts", "spillway");
/** The testbed's release; with the chart's name it gives objects named `spillway-<service>`. */
export const RELEASE = "spillway";
/** The five services: one Deployment and ServiceAccount each in the chart, one process each on the testbed. */
export const SERVICES = ["cluster-gateway", "scheduler", "fleet-root", "stateful-orchestrator", "federated-hpa"] as const;
export type ServiceName = (typeof SERVICES)[number];

/** Runs the testbed's helm (by default against the testbed's host); resolves whatever the exit code. */
export function runHelm(
  args: string[],
  target: { kubeconfig: string; context: string } = { kubeconfig: kubeconfigPath, context: "host" },
): Promise<CommandResult> {
  // Helm's own state (repositories, cache) stays inside the testbed, never in the user's home.
  const home = (what: string) => join(testbedDir, "helm", what);
  return runCommand(bin("helm"), ["--kubeconfig", target.kubeconfig, "--kube-context", target.context, ...args], {
    env: { ...process.env, HELM_CACHE_HOME: home("cache"), HELM_CONFIG_HOME: home("config"), HELM_DATA_HOME: home("data") },
  });
}

export async function helm(args: string[]): Promise<string> {
  const r = await runHelm(args);
  if (r.code !== 0) throw new Error(`helm ${args.join(" ")}: ${r.stderr.trim() || `exit ${r.code}`}`);
  return r.stdout;
}

/** The kubeconfig a service runs with on the testbed: the host, as the chart's ServiceAccount for it. */
export const identityKubeconfig = (service: string): string => join(testbedDir, "identities", `${service}.kubeconfig`);

/**
 * `helm upgrade --install` of the chart into `namespace` on the host, with the fleet API, then the services' kubeconfigs.
 * On a host with a node the release runs no pods (replicas 0): the testbed's services are local
 * processes under these identities, and the install test runs the chart's pods as a release of its own.
 */
export async function installChart(host: RunningCluster, namespace: string, natsUrl: string, hostHasNode = false): Promise<void> {
  const args = [
    CHART_DIR,
    "--namespace",
    namespace,
    "--set",
    `nats.url=${natsUrl}`,
    // The testbed's gateway serves the fleet API: it runs with the rights the chart gives it for that.
    "--set",
    "fleetAPI.enabled=true",
    ...(hostHasNode ? ["--set", "defaults.replicas=0"] : []),
  ];
  await helm(["upgrade", "--install", RELEASE, ...args]);
  mkdirSync(join(testbedDir, "identities"), { recursive: true, mode: 0o700 });
  await Promise.all(
    SERVICES.map(async (service) => {
      const token = (
        await kubectl(host.spec.name, ["create", "token", `${RELEASE}-${service}`, "--namespace", namespace, "--duration=720h"])
      ).trim();
      writeFileSync(
        identityKubeconfig(service),
        kubeconfigYaml([{ name: host.spec.name, server: host.server, caFile: host.caFile, token }], host.spec.name),
        { mode: 0o600 },
      );
    }),
  );
}
