/**
 * Fleet-root's watch in the members: the Deployments it manages (label-selected, so a member's
 * other Deployments cost nothing), and who it writes as. The writes are the shell's
 * (`ApiMemberWriter`), the same for every member workload.
 */
import { AppsV1Api, type V1Deployment } from "@kubernetes/client-node";
import { MemberInformers, type MemberClients } from "@spillway/kit";
import type { Manager } from "@spillway/member-workload";
import type { LiveDeployment } from "../core/live-deployment.ts";
import { MANAGED_BY, MANAGER } from "../core/member-deployment.ts";

export const MANAGED: Manager = { label: MANAGED_BY, value: MANAGER, fieldManager: "spillway-fleet-root" };

export function memberDeploymentInformers(
  clients: MemberClients,
  onError: (cluster: string, err: unknown, retryInMs: number) => void,
): MemberInformers<V1Deployment & LiveDeployment> {
  return new MemberInformers<V1Deployment & LiveDeployment>(
    clients,
    {
      path: "/apis/apps/v1/deployments",
      labelSelector: `${MANAGED_BY}=${MANAGER}`,
      list: (kc, selector) => kc.makeApiClient(AppsV1Api).listDeploymentForAllNamespaces({ labelSelector: selector }),
    },
    onError,
  );
}
