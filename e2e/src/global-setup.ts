/**
 * Fails the e2e run at once, with what to do, when the clusters are not there; tests then never
 * time out one by one against a missing API server.
 */
import { probeOk } from "../testbed/src/probe.ts";
import { ROLES, kubeConfigFor, contextOf, e2eKubeconfig } from "./env.ts";

export default async function globalSetup(): Promise<void> {
  const missing: string[] = [];
  for (const role of ROLES) {
    try {
      const kc = kubeConfigFor(role);
      const server = kc.getCurrentCluster()?.server;
      const user = kc.getCurrentUser();
      if (!server || !(await probeOk(`${server}/readyz`, user?.token))) missing.push(`${role} (context ${contextOf(role)}, ${server})`);
    } catch (err) {
      missing.push(`${role} (context ${contextOf(role)}: ${err instanceof Error ? err.message : String(err)})`);
    }
  }
  if (missing.length) {
    throw new Error(
      `e2e: clusters not ready: ${missing.join("; ")}. Bring up the local federation with \`make testbed-up\`, ` +
        `or point SPILLWAY_E2E_KUBECONFIG (now ${e2eKubeconfig}) and SPILLWAY_E2E_CONTEXTS at your clusters.`,
    );
  }
}
