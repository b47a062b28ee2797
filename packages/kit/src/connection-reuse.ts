/**
 * @kubernetes/client-node 2.0.1 builds a new undici Agent for every API call
 * (KubeConfig.applySecurityAuthentication → createDispatcher), so each request opens its own TCP
 * connection and does a full TLS handshake. Under load the handshakes cost the API server and us
 * more CPU than the requests themselves (a burst of 100 workloads took seconds per reconcile).
 * This keeps one dispatcher per cluster and user, as client-go keeps one transport per config.
 *
 * The node:https path (applyToHTTPSOptions → createAgent, which kubeRequest, kubeList and the
 * gateway's /readyz probe use) does cache its Agent, but one that does not keep connections
 * alive: every list page, every write the fleet API carries to a member and every probe paid a
 * new connection and handshake. Its agents keep their connections here, and close them after an
 * idle spell shorter than the API server's own (90 s), so a reused connection is never one the
 * server is closing.
 */
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent, type AgentOptions } from "node:https";
import type { Cluster, KubeConfig } from "@kubernetes/client-node";

/** How long a kept connection may sit unused before it is closed. */
export const IDLE_CONNECTION_MS = 30_000;

interface Dispatching {
  createDispatcher(cluster: Cluster | null, agentOptions: object): unknown;
  createAgent(cluster: Cluster | null, agentOptions: AgentOptions): unknown;
}

export function reuseConnections(kc: KubeConfig): KubeConfig {
  const target = kc as unknown as Dispatching;
  if (typeof target.createDispatcher !== "function" || typeof target.createAgent !== "function")
    throw new Error("@kubernetes/client-node no longer has KubeConfig.createDispatcher/createAgent; revisit reuseConnections()");
  const keyOf = (cluster: Cluster | null) => JSON.stringify([cluster?.name, cluster?.server, kc.getCurrentUser()?.name]);

  const dispatch = target.createDispatcher.bind(kc);
  const dispatchers = new Map<string, unknown>();
  target.createDispatcher = (cluster, agentOptions) => {
    const key = keyOf(cluster);
    if (!dispatchers.has(key)) dispatchers.set(key, dispatch(cluster, agentOptions));
    return dispatchers.get(key);
  };

  const makeAgent = target.createAgent.bind(kc);
  const agents = new Map<string, unknown>();
  target.createAgent = (cluster, agentOptions) => {
    const plainHttp = cluster?.server.startsWith("http:") ?? false;
    // Proxies, and plain HTTP without skipTLSVerify (which client-node refuses), stay client-node's.
    if (cluster?.proxyUrl || (plainHttp && !cluster?.skipTLSVerify)) return makeAgent(cluster, agentOptions);
    const key = keyOf(cluster);
    if (!agents.has(key)) {
      const options = { ...agentOptions, keepAlive: true, timeout: IDLE_CONNECTION_MS };
      agents.set(key, plainHttp ? new HttpAgent(options) : new HttpsAgent(options));
    }
    return agents.get(key);
  };
  return kc;
}
