/**
 * The FederatedDeployments the e2e tests make, and the one change a rollout test makes to them.
 * One builder, so every test states only what its scenario is about.
 */
import type { FederatedDeployment, FederatedDeploymentSpec } from "@spillway/api";
import { updateObject, type ResourceClient } from "@spillway/kit";
import { testImage } from "./env.ts";

export interface WorkloadOptions {
  namespace: string;
  name: string;
  replicas: number;
  /** Container requests; also set as limits when `limits` is true (Guaranteed pods, GPUs). */
  requests: Record<string, string>;
  limits?: boolean;
  /** Everything else of the spec: strategy, placement, progressDeadlineSeconds… */
  spec?: Partial<FederatedDeploymentSpec>;
}

export function federatedDeployment(o: WorkloadOptions): FederatedDeployment {
  return {
    apiVersion: "spillway.dev/v1alpha1",
    kind: "FederatedDeployment",
    metadata: { name: o.name, namespace: o.namespace },
    spec: {
      replicas: o.replicas,
      selector: { matchLabels: { app: o.name } },
      template: {
        metadata: { labels: { app: o.name } },
        spec: {
          containers: [
            { name: "app", image: testImage(1), resources: { requests: o.requests, ...(o.limits ? { limits: o.requests } : {}) } },
          ],
        },
      },
      ...o.spec,
    },
  };
}

/** A new image for the workload's one container: the template change a rollout is about. */
export const setImage = (fds: ResourceClient<FederatedDeployment>, namespace: string, name: string, image: string) =>
  updateObject(fds, { namespace, name }, (latest) => {
    const template = structuredClone(latest.spec.template);
    template.spec!.containers[0]!.image = image;
    return { ...latest, spec: { ...latest.spec, template } };
  });
