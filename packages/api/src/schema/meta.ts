/**
 * Shapes shared by every kind: conditions, label selectors, object references. Field names
 * follow `metav1` so tools that understand Kubernetes conditions and selectors understand ours.
 */
import { Type, type Static } from "@sinclair/typebox";
import { KObject, StringEnum, StringMap } from "./builders.ts";
import type { ObjectMeta } from "./object-meta.ts";

/** `metav1.Condition`. */
export const Condition = KObject({
  type: Type.String({ maxLength: 316, description: "The condition's type in CamelCase, e.g. `Ready`, `Scheduled`, `Progressing`." }),
  status: StringEnum(["True", "False", "Unknown"] as const, { description: "Whether the condition holds: True, False or Unknown." }),
  observedGeneration: Type.Optional(
    Type.Integer({
      minimum: 0,
      format: "int64",
      description: "The metadata.generation the condition was set for; older than the object's generation means it may be stale.",
    }),
  ),
  lastTransitionTime: Type.String({ format: "date-time", description: "When status last changed (RFC 3339)." }),
  reason: Type.String({ maxLength: 1024, description: "A CamelCase word a program can test for, e.g. `MemberUnreachable`." }),
  message: Type.String({ maxLength: 32768, description: "What happened, for a human: which cluster, what is short, what to fix." }),
});
export type Condition = Static<typeof Condition>;

/**
 * A condition as a decision states it: the status writer stamps `lastTransitionTime` (moved only
 * when `status` changes) and `observedGeneration`. The one condition shape every core returns.
 */
export type ConditionInput = Omit<Condition, "lastTransitionTime" | "observedGeneration"> &
  Partial<Pick<Condition, "lastTransitionTime" | "observedGeneration">>;

/** `status.observedGeneration`, as every Kubernetes controller reports it. */
export const ObservedGeneration = () =>
  Type.Integer({
    minimum: 0,
    format: "int64",
    description: "The metadata.generation the controller last acted on; equal to it once the status reflects the latest spec.",
  });

/** A condition list keyed by `type`, as `metav1.Condition` lists are. */
export const Conditions = (description = "The object's current state as standard conditions, one per type.") =>
  Type.Array(Condition, {
    description,
    maxItems: 32,
    "x-kubernetes-list-type": "map",
    "x-kubernetes-list-map-keys": ["type"],
  });

/** `metav1.LabelSelectorRequirement`. */
export const LabelSelectorRequirement = KObject(
  {
    key: Type.String({ maxLength: 317, description: "The label key the requirement is about." }),
    operator: StringEnum(["In", "NotIn", "Exists", "DoesNotExist"] as const, {
      description: "How the key's value is tested: In, NotIn (against values), Exists, DoesNotExist (values empty).",
    }),
    values: Type.Optional(
      Type.Array(Type.String({ maxLength: 63 }), {
        maxItems: 64,
        description: "The values for In and NotIn; empty for Exists and DoesNotExist.",
      }),
    ),
  },
  {
    "x-kubernetes-validations": [
      {
        rule: "self.operator in ['In', 'NotIn'] ? size(self.values) > 0 : !has(self.values) || size(self.values) == 0",
        message: "values must be non-empty for In and NotIn, and empty for Exists and DoesNotExist",
      },
    ],
  },
);

/** `metav1.LabelSelector`. */
export const LabelSelector = KObject(
  {
    matchLabels: Type.Optional(
      StringMap(Type.String({ maxLength: 63 }), {
        maxProperties: 64,
        description: "Labels that must all be present with exactly these values.",
      }),
    ),
    matchExpressions: Type.Optional(
      Type.Array(LabelSelectorRequirement, { maxItems: 32, description: "Requirements that must all hold; ANDed with matchLabels." }),
    ),
  },
  { "x-kubernetes-map-type": "atomic" },
);
export type LabelSelector = Static<typeof LabelSelector>;

/** A reference to a Secret and the key in it. */
export const SecretKeyRef = KObject({
  namespace: Type.String({
    minLength: 1,
    maxLength: 63,
    description: "The Secret's namespace: the namespace Spillway is installed in (its services may read Secrets nowhere else).",
  }),
  name: Type.String({ minLength: 1, maxLength: 253, description: "The Secret's name." }),
  key: Type.String({
    default: "kubeconfig",
    minLength: 1,
    maxLength: 253,
    description: "The key in the Secret's data. Default: kubeconfig.",
  }),
});
export type SecretKeyRef = Static<typeof SecretKeyRef>;

/** `autoscaling/v2 CrossVersionObjectReference`. */
export const CrossVersionObjectReference = KObject({
  apiVersion: Type.String({ minLength: 1, description: "The referent's API version, e.g. `spillway.dev/v1alpha1`." }),
  kind: Type.String({ minLength: 1, description: "The referent's kind, e.g. `FederatedDeployment`." }),
  name: Type.String({ minLength: 1, maxLength: 253, description: "The referent's name, in this object's namespace." }),
});
export type CrossVersionObjectReference = Static<typeof CrossVersionObjectReference>;

/** The standard Kubernetes object envelope around a spec and a status. */
export interface KubeObject<Spec, Status> {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec: Spec;
  status?: Status;
}
