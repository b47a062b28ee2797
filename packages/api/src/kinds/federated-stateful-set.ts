/**
 * `FederatedStatefulSet`: an `apps/v1` StatefulSet spec for the fleet. Replicas are split into
 * ordinal ranges, one member StatefulSet per range (`spec.ordinals.start`), so pod identities stay
 * unique fleet-wide; ranges are chosen by the scheduler or pinned by the user.
 */
import { Type, type Static } from "@sinclair/typebox";
import type { V1PersistentVolumeClaim } from "@kubernetes/client-node";
import type { KindDefinition } from "../kind-definition.ts";
import { IntOrString, KObject, StringEnum } from "../schema/builders.ts";
import { Conditions, ObservedGeneration, type KubeObject } from "../schema/meta.ts";
import {
  workloadDependencyConflicts,
  OpaqueList,
  Replicas,
  rollingUpdateOnly,
  selectorRules,
  workloadCore,
  workloadPlacement,
  workloadStatusCounts,
} from "../schema/workload.ts";

/** A user-pinned range of ordinals in one cluster. */
export const OrdinalRange = KObject({
  cluster: Type.String({ minLength: 1, maxLength: 253, description: "The member cluster that runs these ordinals." }),
  start: Type.Integer({ minimum: 0, format: "int32", description: "The first ordinal of the range." }),
  count: Type.Integer({ minimum: 1, format: "int32", description: "How many ordinals, from start on." }),
});
export type OrdinalRange = Static<typeof OrdinalRange>;

export const StatefulSetUpdateStrategy = KObject(
  {
    type: StringEnum(["RollingUpdate", "OnDelete"] as const, {
      default: "RollingUpdate",
      description:
        "RollingUpdate (default): replace pods from the highest ordinal down, fleet-wide. OnDelete: replace a pod only when you delete it.",
    }),
    rollingUpdate: Type.Optional(
      KObject(
        {
          partition: Type.Optional(
            Type.Integer({
              minimum: 0,
              format: "int32",
              description:
                "Only ordinals >= partition are updated (a canary of the highest ordinals); the rest keep the old template. Default 0.",
            }),
          ),
          maxUnavailable: Type.Optional(
            IntOrString({
              description: "Pods that may be unavailable at once during the update, fleet-wide: a count or a percentage. Default 1.",
            }),
          ),
        },
        { description: "Parameters of RollingUpdate." },
      ),
    ),
  },
  {
    description: "How pods are replaced when the template changes, as a StatefulSet does, over the whole ordinal space.",
    "x-kubernetes-validations": [rollingUpdateOnly("only allowed for updateStrategy type RollingUpdate")],
  },
);

export const FederatedStatefulSetSpec = KObject(
  {
    ...workloadCore(),
    serviceName: Type.Optional(
      Type.String({
        maxLength: 63,
        description:
          "The headless Service that gives the pods their DNS names; the orchestrator creates it in every member that holds ordinals.",
      }),
    ),
    podManagementPolicy: Type.Optional(
      StringEnum(["OrderedReady", "Parallel"] as const, {
        default: "OrderedReady",
        description: "OrderedReady (default): ordinal n starts only when n-1 is Ready, across members too. Parallel: all at once.",
      }),
    ),
    updateStrategy: Type.Optional(StatefulSetUpdateStrategy),
    volumeClaimTemplates: Type.Optional({
      ...OpaqueList<V1PersistentVolumeClaim>(),
      description: "PersistentVolumeClaims each pod gets, in the member that runs it (`kubectl explain persistentvolumeclaim`).",
    }),
    minReadySeconds: Type.Optional(
      Type.Integer({
        minimum: 0,
        format: "int32",
        description: "Seconds a new pod must be ready before it counts as available. Default 0.",
      }),
    ),
    revisionHistoryLimit: Type.Optional(
      Type.Integer({ minimum: 0, format: "int32", description: "Old revisions each member StatefulSet keeps. Default 10." }),
    ),
    ordinals: Type.Optional(
      KObject(
        {
          start: Type.Integer({
            minimum: 0,
            format: "int32",
            default: 0,
            description: "The first ordinal of the fleet's pods; they are named <name>-<start> … <name>-<start + replicas - 1>. Default 0.",
          }),
        },
        { description: "Where the fleet's ordinal numbering begins." },
      ),
    ),
    persistentVolumeClaimRetentionPolicy: Type.Optional(
      KObject(
        {
          whenDeleted: Type.Optional(
            StringEnum(["Retain", "Delete"] as const, {
              default: "Retain",
              description: "Retain (default) or Delete the pods' claims when the FederatedStatefulSet is deleted.",
            }),
          ),
          whenScaled: Type.Optional(
            StringEnum(["Retain", "Delete"] as const, {
              default: "Retain",
              description: "Retain (default) or Delete the claims of ordinals removed by scaling down.",
            }),
          ),
        },
        { description: "What happens to the pods' PersistentVolumeClaims, in every member." },
      ),
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
    description:
      "An apps/v1 StatefulSet spec for the whole fleet: replicas are split into one contiguous ordinal range per member, so every pod identity exists once fleet-wide.",
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
  cluster: Type.String({ description: "The member cluster." }),
  start: Type.Integer({ minimum: 0, description: "The first ordinal of the member's range." }),
  count: Type.Integer({ minimum: 0, description: "Ordinals placed in this member." }),
  replicas: Type.Optional(Replicas({ description: "Pods of the member StatefulSet." })),
  readyReplicas: Type.Optional(Replicas({ description: "Of them, pods that are ready." })),
  updatedReplicas: Type.Optional(Replicas({ description: "Of them, pods of the update revision." })),
  currentRevision: Type.Optional(Type.String({ description: "The member StatefulSet's current revision." })),
  updateRevision: Type.Optional(Type.String({ description: "The member StatefulSet's update revision." })),
  message: Type.Optional(Type.String({ description: "Why the member does not hold its whole range yet." })),
});

/** An ordinal that is not Ready: where it runs (or is to run) and why. */
export const OrdinalNotReady = KObject({
  ordinal: Type.Integer({ minimum: 0, description: "The pod's ordinal." }),
  cluster: Type.String({ description: "The member that runs it, or is to run it." }),
  reason: Type.String({ description: "Why it is not Ready, e.g. `Pending: 0/4 nodes have enough cpu` or `member unreachable`." }),
});

export const FederatedStatefulSetStatus = KObject(
  {
    observedGeneration: Type.Optional(ObservedGeneration()),
    replicas: Type.Optional(Replicas({ description: "Pods of the workload in the whole fleet." })),
    ...workloadStatusCounts(),
    currentReplicas: Type.Optional(Replicas({ description: "Pods of currentRevision, fleet-wide." })),
    updatedReplicas: Type.Optional(Replicas({ description: "Pods of updateRevision, fleet-wide." })),
    currentRevision: Type.Optional(Type.String({ description: "The revision of the template the fleet ran before the current update." })),
    updateRevision: Type.Optional(
      Type.String({ description: "The revision of the current template; equals currentRevision when no update runs." }),
    ),
    conditions: Type.Optional(
      Conditions("Available and Progressing, as for a FederatedDeployment; Progressing says which ordinal the update waits for."),
    ),
    ordinalRanges: Type.Optional(
      Type.Array(OrdinalRangeStatus, { description: "Each member's ordinal range and how its pods are doing." }),
    ),
    rangeSummary: Type.Optional(Type.String({ description: "Where the ordinals run, e.g. `idc-1:0-7 idc-2:8-15 cloud-1:16-19`." })),
    notReadyOrdinals: Type.Optional(
      Type.Array(OrdinalNotReady, {
        maxItems: 100,
        description: "The lowest ordinals that are not Ready (at most 100; notReadyCount counts them all), with their cluster and reason.",
      }),
    ),
    ...workloadDependencyConflicts(),
    notReadyCount: Type.Optional(Replicas({ description: "How many ordinals are not Ready, fleet-wide." })),
  },
  { description: "What the fleet runs, named as a StatefulSet's status. Written by stateful-orchestrator." },
);
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
    { name: "Ready", type: "string", jsonPath: ".status.readyOfDesired" },
    { name: "Updated", type: "integer", jsonPath: ".status.updatedReplicas" },
    { name: "Ranges", type: "string", jsonPath: ".status.rangeSummary" },
    { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
  ],
};
