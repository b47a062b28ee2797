/**
 * `FederatedHPA`: `autoscaling/v2` HorizontalPodAutoscaler semantics over the whole fleet.
 * `minReplicas: 1` means one replica fleet-wide, not one per cluster.
 */
import { Type, type Static } from "@sinclair/typebox";
import type { V2HorizontalPodAutoscalerBehavior, V2MetricSpec, V2MetricStatus } from "@kubernetes/client-node";
import type { KindDefinition } from "../kind-definition.ts";
import { KObject, Opaque } from "../schema/builders.ts";
import { Conditions, CrossVersionObjectReference, type KubeObject } from "../schema/meta.ts";
import { OpaqueList } from "../schema/workload.ts";

export const FederatedHPASpec = KObject(
  {
    scaleTargetRef: CrossVersionObjectReference,
    minReplicas: Type.Integer({ minimum: 0, format: "int32", default: 1 }),
    maxReplicas: Type.Integer({ minimum: 1, format: "int32" }),
    metrics: Type.Optional(OpaqueList<V2MetricSpec>()),
    behavior: Type.Optional(Opaque<V2HorizontalPodAutoscalerBehavior>()),
  },
  {
    "x-kubernetes-validations": [
      {
        rule: "self.minReplicas <= self.maxReplicas",
        message: "must be greater than or equal to minReplicas",
        fieldPath: ".maxReplicas",
      },
    ],
  },
);
export type FederatedHPASpec = Static<typeof FederatedHPASpec>;

export const FederatedHPAStatus = KObject({
  observedGeneration: Type.Optional(Type.Integer({ minimum: 0, format: "int64" })),
  lastScaleTime: Type.Optional(Type.String({ format: "date-time" })),
  currentReplicas: Type.Optional(Type.Integer({ minimum: 0 })),
  desiredReplicas: Type.Optional(Type.Integer({ minimum: 0 })),
  currentMetrics: Type.Optional(OpaqueList<V2MetricStatus>()),
  conditions: Type.Optional(Conditions()),
});
export type FederatedHPAStatus = Static<typeof FederatedHPAStatus>;

export type FederatedHPA = KubeObject<FederatedHPASpec, FederatedHPAStatus>;

export const federatedHPAKind: KindDefinition = {
  kind: "FederatedHPA",
  plural: "federatedhpas",
  singular: "federatedhpa",
  shortNames: ["fhpa"],
  scope: "Namespaced",
  categories: ["spillway", "all"],
  spec: FederatedHPASpec,
  status: FederatedHPAStatus,
  description: "One autoscaler for a federated workload, over metrics aggregated from every member.",
  printerColumns: [
    { name: "Reference", type: "string", jsonPath: ".spec.scaleTargetRef.name" },
    { name: "MinPods", type: "integer", jsonPath: ".spec.minReplicas" },
    { name: "MaxPods", type: "integer", jsonPath: ".spec.maxReplicas" },
    { name: "Replicas", type: "integer", jsonPath: ".status.currentReplicas" },
    { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
  ],
};
