/**
 * Fleet-root's hands in the members: a watch of the Deployments it manages in each member (the
 * kit's MemberInformers, label-selected, so a member's other Deployments cost nothing), and the
 * writes — server-side apply as `spillway-fleet-root`, delete, and the namespace a first
 * Deployment needs.
 */
import { AppsV1Api, PatchStrategy, setHeaderOptions, type V1Deployment } from "@kubernetes/client-node";
import type { MemberCluster } from "@spillway/api";
import { isNotFound, MemberApis, MemberInformers, type MemberClients } from "@spillway/kit";
import type { LiveDeployment } from "../core/live-deployment.ts";
import { MANAGED_BY, MANAGER, type DeploymentObject } from "../core/member-deployment.ts";

export const FIELD_MANAGER = "spillway-fleet-root";

/** What the controller writes to members; the unit tests' fake implements it over in-memory members. */
export interface MemberDeploymentWriter {
  /** Whether a Deployment of that name exists in the member, and whether fleet-root manages it. */
  read(member: MemberCluster, namespace: string, name: string): Promise<{ managed: boolean } | undefined>;
  apply(member: MemberCluster, object: DeploymentObject): Promise<void>;
  delete(member: MemberCluster, namespace: string, name: string): Promise<void>;
  ensureNamespace(member: MemberCluster, namespace: string): Promise<void>;
}

export function memberDeploymentInformers(
  clients: MemberClients,
  onError: (cluster: string, err: unknown, retryInMs: number) => void,
): MemberInformers<V1Deployment & LiveDeployment> {
  const labelSelector = `${MANAGED_BY}=${MANAGER}`;
  return new MemberInformers<V1Deployment & LiveDeployment>(
    clients,
    {
      path: "/apis/apps/v1/deployments",
      labelSelector,
      list: (kc, selector) => kc.makeApiClient(AppsV1Api).listDeploymentForAllNamespaces({ labelSelector: selector }),
    },
    onError,
  );
}

export class ApiMemberDeploymentWriter implements MemberDeploymentWriter {
  private readonly apis: MemberApis;

  constructor(clients: MemberClients) {
    this.apis = new MemberApis(clients);
  }

  private api(member: MemberCluster) {
    return this.apis.get(member);
  }

  async read(member: MemberCluster, namespace: string, name: string) {
    const { apps } = await this.api(member);
    try {
      const d = await apps.readNamespacedDeployment({ namespace, name });
      return { managed: d.metadata?.labels?.[MANAGED_BY] === MANAGER };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async apply(member: MemberCluster, object: DeploymentObject): Promise<void> {
    const { apps } = await this.api(member);
    await apps.patchNamespacedDeployment(
      { namespace: object.metadata.namespace, name: object.metadata.name, body: object, fieldManager: FIELD_MANAGER, force: true },
      setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply),
    );
  }

  async delete(member: MemberCluster, namespace: string, name: string): Promise<void> {
    const { apps } = await this.api(member);
    await apps.deleteNamespacedDeployment({ namespace, name }).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
  }

  ensureNamespace(member: MemberCluster, namespace: string): Promise<void> {
    return this.apis.ensureNamespace(member, namespace);
  }
}
