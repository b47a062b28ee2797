/**
 * Fleet-root's view of its member Deployments: one label-selected informer per member (only the
 * Deployments it manages), rebuilt when the member's kubeconfig changes. Any change there re-queues
 * the FederatedDeployment it belongs to, so the rollout advances as soon as a member moves.
 */
import { AppsV1Api, CoreV1Api, type V1Deployment } from "@kubernetes/client-node";
import { Informer, type MemberClient } from "@spillway/kit";
import { errorFields, type Logger } from "@spillway/telemetry";
import { MANAGED_BY, MANAGER, OWNER_ANNOTATION } from "../core/member-deployment.ts";

interface Watch {
  fingerprint: string;
  informer: Informer<V1Deployment>;
  apps: AppsV1Api;
  core: CoreV1Api;
  synced: boolean;
  /** Namespaces known to exist in the member, so a create is not tried again and again. */
  namespaces: Set<string>;
}

export class MemberDeployments {
  private readonly watches = new Map<string, Watch>();
  private readonly log: Logger;
  private readonly onOwner: (namespace: string, name: string) => void;

  constructor(log: Logger, onOwner: (namespace: string, name: string) => void) {
    this.log = log;
    this.onOwner = onOwner;
  }

  ensure(client: MemberClient): Watch {
    const existing = this.watches.get(client.name);
    if (existing?.fingerprint === client.fingerprint) return existing;
    void existing?.informer.stop();
    const apps = client.kubeConfig.makeApiClient(AppsV1Api);
    const informer = new Informer<V1Deployment>(client.kubeConfig, {
      path: "/apis/apps/v1/deployments",
      labelSelector: `${MANAGED_BY}=${MANAGER}`,
      list: () => apps.listDeploymentForAllNamespaces({ labelSelector: `${MANAGED_BY}=${MANAGER}` }),
      maxBackoffMs: 5000,
      onError: (err, retryInMs) =>
        this.log.warn({ cluster: client.name, retryInMs, ...errorFields(err) }, "member Deployment watch failed; restarting"),
    });
    const watch: Watch = {
      fingerprint: client.fingerprint,
      informer,
      apps,
      core: client.kubeConfig.makeApiClient(CoreV1Api),
      synced: false,
      namespaces: new Set<string>(),
    };
    informer.addHandler((_t, d) => {
      const owner = d.metadata?.annotations?.[OWNER_ANNOTATION];
      const slash = owner?.indexOf("/") ?? -1;
      if (owner && slash > 0) this.onOwner(owner.slice(0, slash), owner.slice(slash + 1));
    });
    void informer.start();
    void informer.hasSynced().then(() => {
      watch.synced = true;
      for (const d of informer.list()) {
        const owner = d.metadata?.annotations?.[OWNER_ANNOTATION];
        if (owner?.includes("/")) this.onOwner(owner.split("/")[0]!, owner.split("/")[1]!);
      }
    });
    this.watches.set(client.name, watch);
    return watch;
  }

  /**
   * Whether fleet-root has listed the member's Deployments since it started (or since the member's
   * kubeconfig changed). Until then the member may hold rollout budget nobody here can see.
   */
  seen(cluster: string): boolean {
    return this.watches.get(cluster)?.synced ?? false;
  }

  /** Clusters where a managed Deployment of this federated object exists. */
  clustersHolding(namespace: string, name: string): string[] {
    return [...this.watches.entries()].filter(([, w]) => w.informer.get(name, namespace)).map(([c]) => c);
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.watches.values()].map((w) => w.informer.stop()));
  }
}
