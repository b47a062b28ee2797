/**
 * @kubernetes/client-node 2.0.1 builds a new undici Agent for every API call
 * (KubeConfig.applySecurityAuthentication → createDispatcher), so each request opens its own TCP
 * connection and does a full TLS handshake. Under load the handshakes cost the API server and us
 * more CPU than the requests themselves (a burst of 100 workloads took seconds per reconcile).
 * This keeps one dispatcher per cluster and user, as client-go keeps one transport per config.
 */
import type { Cluster, KubeConfig } from "@kubernetes/client-node";

interface Dispatching {
  createDispatcher(cluster: Cluster | null, agentOptions: object): unknown;
}

export function reuseConnections(kc: KubeConfig): KubeConfig {
  const target = kc as unknown as Dispatching;
  if (typeof target.createDispatcher !== "function")
    throw new Error("@kubernetes/client-node no longer has KubeConfig.createDispatcher; revisit reuseConnections()");
  const create = target.createDispatcher.bind(kc);
  const cache = new Map<string, unknown>();
  target.createDispatcher = (cluster, agentOptions) => {
    const key = JSON.stringify([cluster?.name, cluster?.server, kc.getCurrentUser()?.name]);
    if (!cache.has(key)) cache.set(key, create(cluster, agentOptions));
    return cache.get(key);
  };
  return kc;
}
