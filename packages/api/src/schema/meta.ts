/**
 * Shapes shared by every kind: conditions, label selectors, object references. Field names
 * follow `metav1` so tools that understand Kubernetes conditions and selectors understand ours.
 */
import { Type, type Static } from "@sinclair/typebox";
import { KObject, StringEnum, StringMap } from "./builders.ts";
import type { ObjectMeta } from "./object-meta.ts";

/** `metav1.Condition`. */
export const Condition = KObject({
  type: Type.String({ maxLength: 316 }),
  status: StringEnum(["True", "False", "Unknown"] as const),
  observedGeneration: Type.Optional(Type.Integer({ minimum: 0, format: "int64" })),
  lastTransitionTime: Type.String({ format: "date-time" }),
  reason: Type.String({ maxLength: 1024 }),
  message: Type.String({ maxLength: 32768 }),
});
export type Condition = Static<typeof Condition>;

/** A condition list keyed by `type`, as `metav1.Condition` lists are. */
export const Conditions = () =>
  Type.Array(Condition, {
    maxItems: 32,
    "x-kubernetes-list-type": "map",
    "x-kubernetes-list-map-keys": ["type"],
  });

/** `metav1.LabelSelectorRequirement`. */
export const LabelSelectorRequirement = KObject(
  {
    key: Type.String({ maxLength: 317 }),
    operator: StringEnum(["In", "NotIn", "Exists", "DoesNotExist"] as const),
    values: Type.Optional(Type.Array(Type.String({ maxLength: 63 }), { maxItems: 64 })),
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
    matchLabels: Type.Optional(StringMap(Type.String({ maxLength: 63 }), { maxProperties: 64 })),
    matchExpressions: Type.Optional(Type.Array(LabelSelectorRequirement, { maxItems: 32 })),
  },
  { "x-kubernetes-map-type": "atomic" },
);
export type LabelSelector = Static<typeof LabelSelector>;

/** A reference to a Secret and the key in it. */
export const SecretKeyRef = KObject({
  namespace: Type.String({ minLength: 1, maxLength: 63 }),
  name: Type.String({ minLength: 1, maxLength: 253 }),
  key: Type.String({ default: "kubeconfig", minLength: 1, maxLength: 253 }),
});
export type SecretKeyRef = Static<typeof SecretKeyRef>;

/** `autoscaling/v2 CrossVersionObjectReference`. */
export const CrossVersionObjectReference = KObject({
  apiVersion: Type.String({ minLength: 1 }),
  kind: Type.String({ minLength: 1 }),
  name: Type.String({ minLength: 1, maxLength: 253 }),
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
