/**
 * The apps/v1 Deployment fleet-root keeps in a member for a FederatedDeployment: the federated
 * spec with the member's replicas and budget share, the overrides that select the member applied,
 * labels that mark it as managed, and annotations pointing back to the federated object.
 */
import type { FederatedDeploymentSpec } from "@spillway/api";
import { federatedDeploymentAnnotation, fleetTemplateHashAnnotation, memberTemplate, templateHash, type MemberInfo } from "@spillway/rules";
import type { MemberPlan } from "./rollout-plan.ts";

export const MANAGED_BY = "spillway.dev/managed-by";
export const MANAGER = "fleet-root";
export const OWNER_ANNOTATION = federatedDeploymentAnnotation;
export const TEMPLATE_HASH = "spillway.dev/template-hash";

export type { MemberInfo };

export interface DeploymentObject {
  apiVersion: "apps/v1";
  kind: "Deployment";
  metadata: {
    name: string;
    namespace: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    resourceVersion?: string;
  };
  spec: Record<string, unknown> & { replicas: number; template: Record<string, unknown> };
}

export function memberDeployment(
  fd: { namespace: string; name: string; spec: FederatedDeploymentSpec },
  member: MemberInfo,
  plan: MemberPlan,
): DeploymentObject {
  const template = memberTemplate(fd.spec, member);
  const recreate = fd.spec.strategy?.type === "Recreate";
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: fd.name,
      namespace: fd.namespace,
      labels: { [MANAGED_BY]: MANAGER, [OWNER_ANNOTATION]: fd.name },
      annotations: {
        [OWNER_ANNOTATION]: `${fd.namespace}/${fd.name}`,
        [TEMPLATE_HASH]: templateHash(template),
        [fleetTemplateHashAnnotation]: templateHash(fd.spec.template),
      },
    },
    spec: {
      replicas: plan.replicas,
      selector: fd.spec.selector,
      template,
      strategy: recreate
        ? { type: "Recreate" }
        : { type: "RollingUpdate", rollingUpdate: { maxSurge: plan.maxSurge, maxUnavailable: plan.maxUnavailable } },
      minReadySeconds: fd.spec.minReadySeconds ?? 0,
      revisionHistoryLimit: fd.spec.revisionHistoryLimit ?? 10,
      progressDeadlineSeconds: fd.spec.progressDeadlineSeconds ?? 600,
      paused: plan.paused,
    },
  };
}
