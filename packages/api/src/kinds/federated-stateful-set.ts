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
  cluster: Type.String({ minLength: 1, maxLength: 253, description: "The member cluster that runs these ordinals." }),
  start: Type.Integer({ minimum: 0, format: "int32", description: "The first ordinal of the range." }),
  count: Type.Integer({ minimum: 1, format: "int32", description: "How many ordinals, from start on." }),
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
    persistentVolumeClaimRetentionPolicy: Type.Optional(
      KObject({
        whenDeleted: Type.Optional(StringEnum(["Retain", "Delete"] as const, { default: "Retain" })),
        whenScaled: Type.Optional(StringEnum(["Retain", "Delete"] as const, { default: "Retain" })),
      }),
    ),
    ...workloadPlacement(),
    ordinalRanges: Type.Optional(
      Type.Array(OrdinalRange, {
        maxItems: 32,
        description:
          "Pinned ordinal ranges, one per member cluster: together they cover [ordinals.start, ordinals.start + replicas) exactly, without overlap. The scheduler chooses ranges when unset.",
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
      {
        rule: "!has(self.ordinalRanges) || self.ordinalRanges.all(r, r.start >= (has(self.ordinals) ? self.ordinals.start : 0) && r.start + r.count <= (has(self.ordinals) ? self.ordinals.start : 0) + self.replicas)",
        message: "every ordinalRanges entry must lie within [ordinals.start, ordinals.start + replicas)",
        fieldPath: ".ordinalRanges",
      },
      {
        rule: "!has(self.ordinalRanges) || self.ordinalRanges.all(a, self.ordinalRanges.exists_one(b, b.cluster == a.cluster))",
        message: "ordinalRanges must name each cluster once (one member StatefulSet holds one contiguous range)",
        fieldPath: ".ordinalRanges",
      },
      {
        rule: "!has(self.ordinalRanges) || self.ordinalRanges.all(a, self.ordinalRanges.all(b, a.cluster == b.cluster || a.start + a.count <= b.start || b.start + b.count <= a.start))",
        message: "ordinalRanges overlap: each ordinal must belong to one range",
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
  count: Type.Integer({ minimum: 0, description: "Ordinals placed in this member." }),
  replicas: Type.Optional(Replicas({ description: "Pods of the member StatefulSet." })),
  readyReplicas: Type.Optional(Replicas()),
  updatedReplicas: Type.Optional(Replicas()),
  currentRevision: Type.Optional(Type.String()),
  updateRevision: Type.Optional(Type.String()),
  message: Type.Optional(Type.String({ description: "Why the member does not hold its whole range yet." })),
});

/** An ordinal that is not Ready: where it runs (or is to run) and why. */
export const OrdinalNotReady = KObject({
  ordinal: Type.Integer({ minimum: 0 }),
  cluster: Type.String(),
  reason: Type.String(),
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
  rangeSummary: Type.Optional(Type.String({ description: "Where the ordinals run, e.g. `idc-1:0-7 idc-2:8-15 cloud-1:16-19`." })),
  notReadyOrdinals: Type.Optional(
    Type.Array(OrdinalNotReady, {
      maxItems: 100,
      description: "The lowest ordinals that are not Ready (at most 100; notReadyCount counts them all), with their cluster and reason.",
    }),
  ),
  notReadyCount: Type.Optional(Replicas()),
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
    { name: "Ranges", type: "string", jsonPath: ".status.rangeSummary" },
    { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
  ],
};
