/** Loading kubeconfigs: a file and context, in-cluster, or the bytes of a Secret. */
import { KubeConfig } from "@kubernetes/client-node";
import { reuseConnections } from "./connection-reuse.ts";

export interface KubeConfigSource {
  /** Path to a kubeconfig file; empty means in-cluster or $KUBECONFIG/~/.kube/config. */
  kubeconfig?: string;
  context?: string;
}

export function loadKubeConfig(source: KubeConfigSource = {}): KubeConfig {
  const kc = new KubeConfig();
  if (source.kubeconfig) kc.loadFromFile(source.kubeconfig);
  else kc.loadFromDefault();
  if (source.context) kc.setCurrentContext(source.context);
  if (!kc.getCurrentCluster()) {
    throw new Error(
      `kubeconfig ${source.kubeconfig ?? "(default)"} has no cluster for context ${source.context ?? kc.getCurrentContext()}`,
    );
  }
  return reuseConnections(kc);
}
