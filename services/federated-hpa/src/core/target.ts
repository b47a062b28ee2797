/**
 * The scale subresource of a federated workload, read from the object itself (the CRDs map
 * `.spec.replicas`, `.status.replicas` and the selector there): what the autoscaler scales. Pure.
 */
import type { LabelSelector } from "@spillway/rules";

export type TargetKind = "FederatedDeployment" | "FederatedStatefulSet";

export interface TargetObject {
  metadata: { namespace?: string; name?: string; generation?: number };
  spec: { replicas?: number; selector?: LabelSelector };
  status?: { replicas?: number };
}

export interface TargetScale {
  kind: TargetKind;
  namespace: string;
  name: string;
  /** `spec.replicas`: what the autoscaler compares and writes. */
  specReplicas: number;
  /** `status.replicas`: the pods the workload has across the fleet. */
  statusReplicas: number;
  selector: LabelSelector;
}

export function targetScale(kind: TargetKind, o: TargetObject): TargetScale {
  return {
    kind,
    namespace: o.metadata.namespace ?? "default",
    name: o.metadata.name ?? "",
    specReplicas: o.spec.replicas ?? 1,
    statusReplicas: o.status?.replicas ?? 0,
    selector: o.spec.selector ?? {},
  };
}
