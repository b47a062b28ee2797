/**
 * Writes a federated workload's replicas through its `scale` subresource, as Kubernetes' HPA does
 * for any scalable kind: the autoscaler needs no write access to the rest of the object.
 */
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from "@kubernetes/client-node";
import { federatedDeploymentKind, federatedStatefulSetKind, resourceOf } from "@spillway/api";
import type { TargetKind } from "../core/target.ts";

const plural: Record<TargetKind, string> = {
  FederatedDeployment: resourceOf(federatedDeploymentKind).plural,
  FederatedStatefulSet: resourceOf(federatedStatefulSetKind).plural,
};

export interface ScaleWriter {
  setReplicas(kind: TargetKind, namespace: string, name: string, replicas: number): Promise<void>;
}

export class ApiScaleWriter implements ScaleWriter {
  private readonly api: CustomObjectsApi;

  constructor(kc: KubeConfig) {
    this.api = kc.makeApiClient(CustomObjectsApi);
  }

  async setReplicas(kind: TargetKind, namespace: string, name: string, replicas: number): Promise<void> {
    await this.api.patchNamespacedCustomObjectScale(
      { group: "spillway.dev", version: "v1alpha1", plural: plural[kind], namespace, name, body: { spec: { replicas } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
  }
}
