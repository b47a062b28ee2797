/**
 * Fails the e2e run at once, with what to do, when the clusters are not there; tests then never
 * time out one by one against a missing API server. Asks through kubectl, so whatever credentials
 * the kubeconfig holds (tokens, client certificates, exec plugins) are the ones used.
 */
import { contextOf, e2eKubeconfig, ROLES } from "./env.ts";
import { kubectl } from "./kubectl.ts";

export default async function globalSetup(): Promise<void> {
  const missing: string[] = [];
  await Promise.all(
    ROLES.map(async (role) => {
      const r = await kubectl(role, ["get", "--raw", "/readyz", "--request-timeout=5s"]).catch((err: unknown) => ({
        code: -1,
        stdout: "",
        stderr: String(err),
      }));
      if (r.code !== 0 || r.stdout.trim() !== "ok")
        missing.push(`${role} (context ${contextOf(role)}: ${r.stderr.trim() || r.stdout.trim()})`);
    }),
  );
  if (missing.length) {
    throw new Error(
      `e2e: clusters not ready: ${missing.join("; ")}. Bring up the local federation with \`make testbed-up\`, ` +
        `or point SPILLWAY_E2E_KUBECONFIG (now ${e2eKubeconfig}) and SPILLWAY_E2E_CONTEXTS at your clusters.`,
    );
  }
}
