/**
 * `FederatedStatefulSet`: an `apps/v1` StatefulSet spec for the fleet. Replicas are split into
 * ordinal ranges, one member StatefulSet per range (`spec.ordinals.start`), so pod identities stay
 * unique fleet-wide; ranges are chosen by the scheduler or pinned by the user.
 */
import { Type, type Static } from "@sinclair/typebox";
import type { V1PersistentVolumeClaim } from "@kubernetes/client-node";
import type { KindDefinition } from "../kind-definition.ts";
import { IntOrString, KObject, StringEnum } from "../schema/builders.ts";
import { Conditions, type KubeObject } from "../schema/meta.ts";
import { OpaqueList, Replicas, rollingUpdateOnly, selectorRules, workloadCore, workloadPlacement } from "../schema/workload.ts";

/** A user-pinned range of ordinals in one cluster. */
export const OrdinalRange = KObject({
  cluster: Type.String({ minLength: 1, maxLength: 253 }),
  start: Type.Integer({ minimum: 0, format: "int32" }),
  count: Type.Integer({ minimum: 0, format: "int32" }),
});
export type OrdinalRange = Static<typeof OrdinalRange>;

export const StatefulSetUpdateStrategy = KObject(
  {
    type: StringEnum(["RollingUpdate", "OnDelete"] as const, { default: "RollingUpdate" }),
    rollingUpdate: Type.Optional(
      KObject({
        partition: Type.Optional(Type.Integer({ minimum: 0, format: "int32" })),
        maxUnavailable: Type.Optional(IntOrString()),
      }),
    ),
  },
  { "x-kubernetes-validations": [rollingUpdateOnly("only allowed for updateStrategy type RollingUpdate")] },
);

export const FederatedStatefulSetSpec = KObject(
  {
    ...workloadCore(),
    serviceName: Type.Optional(Type.String({ maxLength: 63 })),
    podManagementPolicy: Type.Optional(StringEnum(["OrderedReady", "Parallel"] as const, { default: "OrderedReady" })),
    updateStrategy: Type.Optional(StatefulSetUpdateStrategy),
    volumeClaimTemplates: Type.Optional(OpaqueList<V1PersistentVolumeClaim>()),
    minReadySeconds: Type.Optional(Type.Integer({ minimum: 0, format: "int32" })),
    revisionHistoryLimit: Type.Optional(Type.Integer({ minimum: 0, format: "int32" })),
    ordinals: Type.Optional(KObject({ start: Type.Integer({ minimum: 0, format: "int32", default: 0 }) })),
    ...workloadPlacement(),
    ordinalRanges: Type.Optional(
      Type.Array(OrdinalRange, {
        maxItems: 256,
        description: "Pinned ordinal ranges; when set they must cover the replicas exactly and not overlap.",
      }),
    ),
  },
  {
    "x-kubernetes-validations": [
      ...selectorRules,
      {
        rule: "!has(self.ordinalRanges) || self.ordinalRanges.map(r, r.count).sum() == self.replicas",
        message: "the counts of ordinalRanges must add up to replicas",
        fieldPath: ".ordinalRanges",
      },
    ],
  },
);
export type FederatedStatefulSetSpec = Static<typeof FederatedStatefulSetSpec>;

/** Status of one ordinal range in one member. */
export const OrdinalRangeStatus = KObject({
  cluster: Type.String(),
  start: Type.Integer({ minimum: 0 }),
  count: Type.Integer({ minimum: 0 }),
  readyReplicas: Type.Optional(Replicas()),
  updatedReplicas: Type.Optional(Replicas()),
  currentRevision: Type.Optional(Type.String()),
  updateRevision: Type.Optional(Type.String()),
});

export const FederatedStatefulSetStatus = KObject({
  observedGeneration: Type.Optional(Type.Integer({ minimum: 0, format: "int64" })),
  replicas: Type.Optional(Replicas()),
  readyReplicas: Type.Optional(Replicas()),
  currentReplicas: Type.Optional(Replicas()),
  updatedReplicas: Type.Optional(Replicas()),
  availableReplicas: Type.Optional(Replicas()),
  currentRevision: Type.Optional(Type.String()),
  updateRevision: Type.Optional(Type.String()),
  selector: Type.Optional(Type.String()),
  conditions: Type.Optional(Conditions()),
  ordinalRanges: Type.Optional(Type.Array(OrdinalRangeStatus)),
});
export type FederatedStatefulSetStatus = Static<typeof FederatedStatefulSetStatus>;

export type FederatedStatefulSet = KubeObject<FederatedStatefulSetSpec, FederatedStatefulSetStatus>;

export const federatedStatefulSetKind: KindDefinition = {
  kind: "FederatedStatefulSet",
  plural: "federatedstatefulsets",
  singular: "federatedstatefulset",
  shortNames: ["fsts"],
  scope: "Namespaced",
  categories: ["spillway", "all"],
  spec: FederatedStatefulSetSpec,
  status: FederatedStatefulSetStatus,
  description: "A StatefulSet for the whole fleet, split into ordinal ranges per member cluster.",
  scale: {
    specReplicasPath: ".spec.replicas",
    statusReplicasPath: ".status.replicas",
    labelSelectorPath: ".status.selector",
  },
  printerColumns: [
    { name: "Desired", type: "integer", jsonPath: ".spec.replicas" },
    { name: "Ready", type: "integer", jsonPath: ".status.readyReplicas" },
    { name: "Updated", type: "integer", jsonPath: ".status.updatedReplicas" },
    { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
  ],
};
