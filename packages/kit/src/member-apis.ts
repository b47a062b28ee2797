/**
 * Typed API clients for each member, made once per member kubeconfig (a changed kubeconfig gets
 * new ones), and the namespaces already made there: what every controller that writes workload
 * objects into members (fleet-root, the stateful-orchestrator) needs, kept in one place.
 */
import { AppsV1Api, CoreV1Api } from "@kubernetes/client-node";
import type { MemberCluster } from "@spillway/api";
import { isAlreadyExists } from "./errors.ts";
import type { MemberClients } from "./member-clients.ts";

export interface MemberApi {
  apps: AppsV1Api;
  core: CoreV1Api;
}

export class MemberApis {
  private readonly clients: Pick<MemberClients, "get">;
  private readonly apis = new Map<string, MemberApi & { fingerprint: string; namespaces: Set<string> }>();

  constructor(clients: Pick<MemberClients, "get">) {
    this.clients = clients;
  }

  get(member: MemberCluster): Promise<MemberApi> {
    return this.entry(member);
  }

  private async entry(member: MemberCluster) {
    const { client } = await this.clients.get(member);
    let api = this.apis.get(client.name);
    if (api?.fingerprint !== client.fingerprint) {
      api = {
        fingerprint: client.fingerprint,
        apps: client.kubeConfig.makeApiClient(AppsV1Api),
        core: client.kubeConfig.makeApiClient(CoreV1Api),
        namespaces: new Set(),
      };
      this.apis.set(client.name, api);
    }
    return api;
  }

  /** Creates the namespace in the member unless this process already saw it there. */
  async ensureNamespace(member: MemberCluster, namespace: string): Promise<void> {
    const api = await this.entry(member);
    if (api.namespaces.has(namespace)) return;
    await api.core.createNamespace({ body: { metadata: { name: namespace } } }).catch((err: unknown) => {
      if (!isAlreadyExists(err)) throw err;
    });
    api.namespaces.add(namespace);
  }
}
