/**
 * The fleet API on the testbed (docs/adr/0008): a real kube-apiserver (`fleet-apiserver`, the same
 * Kubernetes build) whose only storage is cluster-gateway's etcd-API shim at `ports.fleetStorage`,
 * as the chart runs it: no access to the host's etcd, its own service-account keys, nothing of the
 * host's but its API. Clients authenticate and are authorized by the host (TokenReview and
 * SubjectAccessReview webhooks), so the host's RBAC decides fleet-wide.
 *
 * kube-apiserver cannot start without its storage, so `up` only prepares it; whoever starts a
 * gateway with `--fleet-storage-addr` (the demo, the fleet API's e2e test) then calls
 * `startFleetApi`, which also adds the context `fleet` to the testbed's kubeconfig.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { SERVICE_ACCOUNT_ISSUER, sharedApiserverFlags, type RunningCluster } from "./control-plane.ts";
import { writeServiceAccountKeys } from "./credentials.ts";
import { bin, kubeconfigPath, testbedDir } from "./paths.ts";
import { probeOk } from "./probe.ts";
import { alive, ProcessTable, waitFor } from "./processes.ts";

export interface FleetApi {
  server: string;
  caFile: string;
  /** Where the gateway must serve the etcd-API shim (`--fleet-storage-addr`). */
  storageAddr: string;
}

/** A webhook kubeconfig: the host's review endpoint, called with the host's admin token. */
function webhookConfig(host: RunningCluster, path: string): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "host", cluster: { server: `${host.server}${path}`, "certificate-authority": host.caFile } }],
    users: [{ name: "fleet-apiserver", user: { token: host.credentials.token } }],
    contexts: [{ name: "host", context: { cluster: "host", user: "fleet-apiserver" } }],
    "current-context": "host",
  });
}

const PROCESS = "fleet-apiserver";
const launchFile = () => join(testbedDir, "run", "fleet-api", "launch.json");

interface Launch extends FleetApi {
  command: string[];
  token: string;
}

/** Writes the fleet apiserver's certificates, webhook configs and command line; `up` calls it. */
export function prepareFleetApi(host: RunningCluster): FleetApi {
  const dir = join(testbedDir, "run", "fleet-api");
  const certDir = join(dir, "serving");
  mkdirSync(certDir, { recursive: true });
  const authn = join(dir, "authn-webhook.yaml");
  const authz = join(dir, "authz-webhook.yaml");
  writeFileSync(authn, webhookConfig(host, "/apis/authentication.k8s.io/v1/tokenreviews"), { mode: 0o600 });
  writeFileSync(authz, webhookConfig(host, "/apis/authorization.k8s.io/v1/subjectaccessreviews"), { mode: 0o600 });
  const storageAddr = `127.0.0.1:${host.ports.fleetStorage}`;
  const command = [
    bin("fleet-apiserver"),
    `--host-kubeconfig=${host.kubeconfig}`,
    `--etcd-servers=http://${storageAddr}`,
    // The shim stores the clusters' objects as their APIs serve them: JSON.
    "--storage-media-type=application/json",
    // The shim keeps its own window of changes.
    "--etcd-compaction-interval=0",
    // Authorization is the host's (the webhook below): the fleet serves no RBAC objects of its own.
    "--runtime-config=rbac.authorization.k8s.io/v1=false",
    "--bind-address=127.0.0.1",
    "--advertise-address=127.0.0.1",
    `--secure-port=${host.ports.fleetApiserver}`,
    `--cert-dir=${certDir}`,
    `--authentication-token-webhook-config-file=${authn}`,
    "--authentication-token-webhook-version=v1",
    // A request without credentials is 401, not an anonymous user the host's RBAC then refuses.
    "--anonymous-auth=false",
    "--authorization-mode=Webhook",
    `--authorization-webhook-config-file=${authz}`,
    "--authorization-webhook-version=v1",
    // Its own service-account keys and issuer, as the chart gives it: nothing of the host's but its
    // API. Its API audiences are the host's, for which the host reviews its clients' tokens.
    ...sharedApiserverFlags(writeServiceAccountKeys(join(dir, "sa")), undefined, "https://fleet-api.spillway.testbed"),
    `--api-audiences=${SERVICE_ACCOUNT_ISSUER}`,
    "--v=1",
  ];
  const fleet: FleetApi = { server: `https://127.0.0.1:${host.ports.fleetApiserver}`, caFile: join(certDir, "apiserver.crt"), storageAddr };
  writeFileSync(launchFile(), JSON.stringify({ ...fleet, command, token: host.credentials.token } satisfies Launch, null, 2), {
    mode: 0o600,
  });
  return fleet;
}

/**
 * Starts the fleet apiserver (once; a running one is kept) against a gateway that serves its
 * storage, waits until it is ready, and adds the context `fleet` (the host's credentials: the host
 * authenticates and authorizes fleet clients) to the testbed's kubeconfig.
 */
export async function startFleetApi(): Promise<FleetApi> {
  if (!existsSync(launchFile())) throw new Error(`the testbed has no fleet API prepared (${launchFile()}); run \`make up\` first`);
  const launch = JSON.parse(readFileSync(launchFile(), "utf8")) as Launch;
  const table = new ProcessTable(testbedDir);
  const running = table.readState().processes.find((p) => p.name === PROCESS && alive(p.pid));
  const record = running ?? table.start(PROCESS, launch.command);
  await waitFor(PROCESS, () => probeOk(`${launch.server}/readyz`, launch.token), { timeoutMs: 90_000, table, record });
  const config = parse(readFileSync(kubeconfigPath, "utf8")) as {
    clusters: Array<{ name: string }>;
    users: Array<{ name: string }>;
    contexts: Array<{ name: string }>;
  };
  const others = <T extends { name: string }>(list: T[]) => list.filter((e) => e.name !== "fleet");
  const ca = Buffer.from(readFileSync(launch.caFile)).toString("base64");
  config.clusters = [
    ...others(config.clusters),
    { name: "fleet", cluster: { server: launch.server, "certificate-authority-data": ca } } as never,
  ];
  config.users = [...others(config.users), { name: "fleet", user: { token: launch.token } } as never];
  config.contexts = [...others(config.contexts), { name: "fleet", context: { cluster: "fleet", user: "fleet" } } as never];
  writeFileSync(kubeconfigPath, stringify(config), { mode: 0o600 });
  return { server: launch.server, caFile: launch.caFile, storageAddr: launch.storageAddr };
}

export async function stopFleetApi(): Promise<void> {
  await new ProcessTable(testbedDir).stopOne(PROCESS).catch(() => undefined);
}
