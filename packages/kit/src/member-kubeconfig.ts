/**
 * A member's kubeconfig from the bytes of its Secret. Every way it can be unusable becomes a
 * KubeconfigInvalid message that says what to fix; nothing here throws anything else.
 */
import { KubeConfig } from "@kubernetes/client-node";
import { reuseConnections } from "./connection-reuse.ts";

export class KubeconfigInvalid extends Error {
  override readonly name = "KubeconfigInvalid";
}

export function parseMemberKubeconfig(text: string, source: string): KubeConfig {
  const kc = new KubeConfig();
  try {
    kc.loadFromString(text);
  } catch (err) {
    throw new KubeconfigInvalid(`${source} does not hold a kubeconfig: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster)
    throw new KubeconfigInvalid(`${source}: the kubeconfig's current context (${JSON.stringify(kc.getCurrentContext())}) names no cluster`);
  if (!/^https?:\/\//.test(cluster.server ?? ""))
    throw new KubeconfigInvalid(`${source}: cluster ${cluster.name} has no usable server URL (${JSON.stringify(cluster.server)})`);
  if (!kc.getCurrentUser()) throw new KubeconfigInvalid(`${source}: the kubeconfig's current context names no user`);
  return reuseConnections(kc);
}
