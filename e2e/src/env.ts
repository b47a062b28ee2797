/**
 * Where the e2e suite finds its clusters. By default the local testbed (`.testbed/kubeconfig`,
 * contexts host, idc-1, idc-2, cloud-1); anyone with other clusters (kind, real ones) points it at
 * them with SPILLWAY_E2E_KUBECONFIG and SPILLWAY_E2E_CONTEXTS=host=kind-host,idc-1=kind-idc-1,...
 */
import { KubeConfig } from "@kubernetes/client-node";
import { existsSync } from "node:fs";
import { reuseConnections } from "@spillway/kit";
import { bin, kubeconfigPath, repoRoot, clusterPorts, loadTopology, natsPorts } from "@spillway/testbed";

export type ClusterRole = "host" | "idc-1" | "idc-2" | "cloud-1";
export const ROLES: ClusterRole[] = ["host", "idc-1", "idc-2", "cloud-1"];

export const e2eKubeconfig = process.env["SPILLWAY_E2E_KUBECONFIG"] ?? kubeconfigPath;

const contextMap = new Map<string, string>(
  (process.env["SPILLWAY_E2E_CONTEXTS"] ?? "")
    .split(",")
    .filter(Boolean)
    .map((pair) => pair.split("=") as [string, string]),
);

/** The fleet API: one Kubernetes API over every member (context `fleet`, served by the testbed's fleet-apiserver). */
export type ApiRole = ClusterRole | "fleet";

/** The kubeconfig context that plays `role`. */
export const contextOf = (role: ApiRole) => contextMap.get(role) ?? role;

export function kubeConfigFor(role: ApiRole): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(e2eKubeconfig);
  kc.setCurrentContext(contextOf(role));
  return reuseConnections(kc);
}

export const kubectlBin = process.env["SPILLWAY_KUBECTL"] ?? (existsSync(bin("kubectl")) ? bin("kubectl") : "kubectl");

export const natsUrl = process.env["SPILLWAY_E2E_NATS_URL"] ?? `nats://127.0.0.1:${natsPorts(loadTopology()).client}`;

/** A testbed cluster's ports. */
function portsOf(find: (c: { name: string; role: string }) => boolean) {
  const t = loadTopology();
  return clusterPorts(t, t.clusters.findIndex(find));
}
const hostPorts = () => portsOf((c) => c.role === "host");

/** Where tests write Object and External metric values (the host's metrics adapter). */
export const metricsWriteUrl = process.env["SPILLWAY_E2E_METRICS_WRITE_URL"] ?? `http://127.0.0.1:${hostPorts().metricsWrite}`;

/** Where tests write a member's Pods metric values: its own metrics adapter, which serves them for the pods there. */
export const memberMetricsWriteUrl = (member: ClusterRole) => `http://127.0.0.1:${portsOf((c) => c.name === member).metricsWrite}`;

/** Where a gateway started with `--fleet-storage-addr` serves the fleet API's storage (the testbed's fleet-apiserver reads it there). */
export const fleetStorageAddr = process.env["SPILLWAY_E2E_FLEET_STORAGE_ADDR"] ?? `127.0.0.1:${hostPorts().fleetStorage}`;

export { repoRoot };

/**
 * The image every e2e workload runs: two real tags of a tiny image, so the rollouts (which change
 * tag 1 to 2 and back) also work on clusters that really pull images, such as kind.
 * SPILLWAY_E2E_IMAGE=repo and SPILLWAY_E2E_IMAGE_TAGS=a,b point it at a mirror.
 */
const imageRepo = process.env["SPILLWAY_E2E_IMAGE"] ?? "registry.k8s.io/pause";
const imageTags = (process.env["SPILLWAY_E2E_IMAGE_TAGS"] ?? "3.9,3.10").split(",");
export const testImage = (version: 1 | 2) => `${imageRepo}:${imageTags[version - 1]}`;
