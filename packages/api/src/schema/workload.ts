/**
 * Pieces shared by the two federated workload kinds: the pod template, the placement
 * constraints a user writes, the per-cluster overrides, and the selector/template rules that
 * `apps/v1` enforces and that we must enforce the same way.
 */
import { Type, type Static } from "@sinclair/typebox";
import type { V1PodTemplateSpec } from "@kubernetes/client-node";
import { Described, IntOrString, KObject, Opaque, StringEnum, StringMap } from "./builders.ts";
import { LabelSelector } from "./meta.ts";

/** Tiers of member clusters; the default fill order is the order listed here. */
export const TIERS = ["idc", "cloud"] as const;
export type Tier = (typeof TIERS)[number];

/**
 * The pod template. Its schema belongs to core/v1 and is kept whole; only `metadata.labels` is
 * declared so the selector rules below can see it.
 */
export const PodTemplate = () =>
  Type.Unsafe<V1PodTemplateSpec>({
    type: "object",
    description:
      "The pods every member runs: a core/v1 PodTemplateSpec, exactly as in a Deployment or StatefulSet (`kubectl explain pod.spec` documents its fields). Overrides may change it per cluster.",
    "x-kubernetes-preserve-unknown-fields": true,
    required: ["metadata"],
    properties: {
      metadata: {
        type: "object",
        description: "The pods' metadata; labels must satisfy the selector.",
        "x-kubernetes-preserve-unknown-fields": true,
        required: ["labels"],
        properties: {
          labels: {
            type: "object",
            description: "The pods' labels: every selector requirement must hold for them.",
            maxProperties: 64,
            additionalProperties: { type: "string", maxLength: 63 },
          },
        },
      },
    },
  });

/** Every rule a selector must satisfy against the template, as apps/v1 validation does. */
export const selectorRules = [
  {
    rule: "(has(self.selector.matchLabels) && size(self.selector.matchLabels) > 0) || (has(self.selector.matchExpressions) && size(self.selector.matchExpressions) > 0)",
    message: "selector must not be empty: set selector.matchLabels or selector.matchExpressions",
    fieldPath: ".selector",
    reason: "FieldValueRequired" as const,
  },
  {
    rule: "!has(self.selector.matchLabels) || self.selector.matchLabels.all(k, k in self.template.metadata.labels && self.template.metadata.labels[k] == self.selector.matchLabels[k])",
    message: "selector does not match template labels: every selector.matchLabels entry must also be in template.metadata.labels",
    fieldPath: ".selector",
  },
  {
    rule: "!has(self.selector.matchExpressions) || self.selector.matchExpressions.all(e, e.operator == 'In' ? (e.key in self.template.metadata.labels && self.template.metadata.labels[e.key] in e.values) : e.operator == 'NotIn' ? !(e.key in self.template.metadata.labels && self.template.metadata.labels[e.key] in e.values) : e.operator == 'Exists' ? e.key in self.template.metadata.labels : !(e.key in self.template.metadata.labels))",
    message: "selector does not match template labels: a selector.matchExpressions entry is not satisfied by template.metadata.labels",
    fieldPath: ".selector",
  },
];

/** The selector, immutable once set, as in apps/v1. */
export const WorkloadSelector = () =>
  Type.Unsafe<Static<typeof LabelSelector>>({
    ...LabelSelector,
    description:
      "Which pods belong to this workload, in every member; must match template.metadata.labels and cannot change once set (as in apps/v1).",
    "x-kubernetes-validations": [{ rule: "self == oldSelf", message: "selector is immutable" }],
  });

/** Per-cluster replica bounds a user may set. */
export const ClusterReplicaBounds = KObject(
  {
    name: Type.String({ minLength: 1, maxLength: 253, description: "The MemberCluster these bounds apply to." }),
    minReplicas: Type.Optional(
      Type.Integer({
        minimum: 0,
        format: "int32",
        description: "At least this many replicas go to this cluster whenever the workload has that many (e.g. a warm standby in cloud).",
      }),
    ),
    maxReplicas: Type.Optional(
      Type.Integer({
        minimum: 0,
        format: "int32",
        description: "At most this many replicas go to this cluster (e.g. a licence or quota limit).",
      }),
    ),
  },
  {
    "x-kubernetes-validations": [
      {
        rule: "!has(self.minReplicas) || !has(self.maxReplicas) || self.minReplicas <= self.maxReplicas",
        message: "minReplicas must not be greater than maxReplicas",
        fieldPath: ".minReplicas",
      },
    ],
  },
);

/** Where a workload may go. Everything is optional: the default is the whole fleet, IDC first. */
export const PlacementPolicy = KObject(
  {
    clusterSelector: Type.Optional(
      Described(
        LabelSelector,
        "Only MemberClusters whose labels match, e.g. `matchLabels: {topology.kubernetes.io/region: eu-west}`. Default: every member.",
      ),
    ),
    clusterNames: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 253 }), {
        maxItems: 256,
        "x-kubernetes-list-type": "set",
        description: "Only these MemberClusters, by name; ANDed with clusterSelector. Default: every member.",
      }),
    ),
    tierOrder: Type.Optional(
      Type.Array(StringEnum(TIERS), {
        maxItems: 2,
        "x-kubernetes-list-type": "set",
        description:
          "The order tiers are filled in. Default `[idc, cloud]`: IDC members fill first, cloud takes only the overflow; `[cloud, idc]` prefers cloud. Tiers not listed fill last; to keep a workload out of a tier, use clusterSelector or clusterNames.",
      }),
    ),
    maxClusters: Type.Optional(
      Type.Integer({
        minimum: 1,
        format: "int32",
        description: "Spread the replicas over at most this many clusters (the best-ranked that fit). Default: no limit.",
      }),
    ),
    clusters: Type.Optional(
      Type.Array(ClusterReplicaBounds, {
        description: "Replica bounds for named clusters, on top of the fill order.",
        maxItems: 256,
        "x-kubernetes-list-type": "map",
        "x-kubernetes-list-map-keys": ["name"],
      }),
    ),
  },
  {
    description:
      "Where the workload may run. Everything is optional: by default the scheduler uses the whole fleet, filling IDC members first and spilling only the overflow to cloud. Its decision is written to the workload's Placement, not here.",
  },
);
export type PlacementPolicy = Static<typeof PlacementPolicy>;

/** One RFC 6902 operation applied to the member object. */
export const JsonPatchOperation = KObject({
  op: StringEnum(["add", "replace", "remove"] as const, { description: "The RFC 6902 operation: add, replace or remove." }),
  path: Type.String({
    minLength: 1,
    pattern: "^/",
    description: "A JSON Pointer into the member object, e.g. `/spec/template/spec/containers/0/resources/limits/cpu`.",
  }),
  // Any JSON value. CEL cannot see an untyped field, so "value is required for add/replace" is
  // checked where the patch is applied and reported as a condition on the workload.
  value: Type.Optional(
    Type.Unsafe<unknown>({
      "x-kubernetes-preserve-unknown-fields": true,
      description: "The value to add or replace with (any JSON); required for add and replace.",
    }),
  ),
});

/** A change to the member objects of the selected clusters (e.g. a registry mirror per cloud). */
export const Override = KObject(
  {
    clusterNames: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), { maxItems: 256, description: "The clusters this override applies to, by name." }),
    ),
    clusterSelector: Type.Optional(
      Described(LabelSelector, "The clusters this override applies to, by their MemberCluster labels, e.g. `spillway.dev/tier: cloud`."),
    ),
    imageRegistry: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 253,
        description: "Replace the registry of every container image with this one, e.g. a mirror in that cloud: `mirror.example.com`.",
      }),
    ),
    patches: Type.Optional(
      Type.Array(JsonPatchOperation, {
        maxItems: 64,
        description: "JSON patches applied, in order, to the member object (Deployment or StatefulSet) after imageRegistry.",
      }),
    ),
  },
  {
    description: "A change to the member objects in the selected clusters; overrides apply in list order.",
    "x-kubernetes-validations": [
      {
        rule: "has(self.clusterNames) || has(self.clusterSelector)",
        message: "an override must select clusters with clusterNames or clusterSelector",
      },
    ],
  },
);
export type Override = Static<typeof Override>;

/** Label and annotation maps in status breakdowns. */
export const Labels = () => StringMap(Type.String());

/** A non-negative int32 replica count. */
export const Replicas = (options: Record<string, unknown> = {}) => Type.Integer({ minimum: 0, format: "int32", ...options });

/** A percentage or count budget: non-negative integer or "N%". */
export const Budget = (defaultValue: number | string) =>
  IntOrString({
    default: defaultValue,
    "x-kubernetes-validations": [
      {
        rule: "type(self) == int ? self >= 0 : self.matches('^[0-9]+%$')",
        message: "must be a non-negative integer or a percentage such as '25%'",
      },
    ],
  });

/** Everything in a workload spec that only serves opaque pass-through. */
export const OpaqueList = <T>() => Type.Array(Opaque<T>(), { maxItems: 64, "x-kubernetes-list-type": "atomic" });

/** The fields both workload kinds share with their apps/v1 counterparts. */
export const workloadCore = () => ({
  replicas: Replicas({
    default: 1,
    description:
      "Replicas across the whole fleet; the scheduler splits them over members (IDC first). Default 1. A FederatedHPA may own it.",
  }),
  selector: WorkloadSelector(),
  template: PodTemplate(),
});

/** Status fields both workload kinds report as their apps/v1 counterparts do, counted fleet-wide. */
export const workloadStatusCounts = () => ({
  readyReplicas: Type.Optional(Replicas({ description: "Ready pods, fleet-wide." })),
  readyOfDesired: Type.Optional(
    Type.String({ description: "`<ready>/<spec.replicas>`, the READY column of `kubectl get` (as a Deployment's and a StatefulSet's)." }),
  ),
  availableReplicas: Type.Optional(Replicas({ description: "Pods ready for at least minReadySeconds, fleet-wide." })),
  selector: Type.Optional(Type.String({ description: "The label selector in string form, for the scale subresource." })),
});

/** A member holding, as its own, objects of names the host holds as sources for the workload's pods. */
export const DependencyConflict = KObject({
  name: Type.String({ description: "The member cluster." }),
  objects: Type.Array(Type.String(), {
    maxItems: 64,
    description: "`Kind/name` of each object there that Spillway did not create and will not overwrite.",
  }),
});

/** Members the workload stays out of (the scheduler's DependencyConflicts filter) until their own objects are renamed or deleted. */
export const workloadDependencyConflicts = () => ({
  dependencyConflicts: Type.Optional(
    Type.Array(DependencyConflict, {
      maxItems: 256,
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["name"],
      description:
        "Members holding their own object where the host holds the source of something the pods need (DependenciesReady says which): the workload is not placed there until it is renamed or deleted.",
    }),
  ),
});

/** Where the workload may go, and what changes per cluster. */
export const workloadPlacement = () => ({
  placement: Type.Optional(PlacementPolicy),
  overrides: Type.Optional(
    Type.Array(Override, {
      maxItems: 64,
      description: "Per-cluster changes to the member objects (image registry, resources, anything by JSON patch).",
    }),
  ),
});

/** apps/v1 forbids `rollingUpdate` unless the strategy type is RollingUpdate; so do we. */
export const rollingUpdateOnly = (message: string) => ({
  rule: "self.type == 'RollingUpdate' || !has(self.rollingUpdate)",
  message,
  fieldPath: ".rollingUpdate",
  reason: "FieldValueForbidden" as const,
});
