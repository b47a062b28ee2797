/**
 * `FederatedHPA`: `autoscaling/v2` HorizontalPodAutoscaler semantics over the whole fleet.
 * `minReplicas: 1` means one replica fleet-wide, not one per cluster; `minReplicas: 0` scales to
 * zero on an Object or External metric, as Kubernetes' HPAScaleToZero does. The spec is typed
 * field by field (not passed through), so a bad metric or policy is refused by the API server
 * with the field named.
 */
import { Type, type Static } from "@sinclair/typebox";
import type { V2MetricStatus } from "@kubernetes/client-node";
import type { KindDefinition } from "../kind-definition.ts";
import { KObject, Quantity, StringEnum } from "../schema/builders.ts";
import { Conditions, LabelSelector, type KubeObject } from "../schema/meta.ts";
import { OpaqueList } from "../schema/workload.ts";

/** What the autoscaler scales: a federated workload, through its `scale` subresource. */
export const ScaleTargetRef = KObject({
  apiVersion: Type.String({ minLength: 1, description: "spillway.dev/v1alpha1" }),
  kind: StringEnum(["FederatedDeployment", "FederatedStatefulSet"] as const, {
    description: "A federated workload with a scale subresource.",
  }),
  name: Type.String({ minLength: 1, maxLength: 253 }),
});

export const MetricTarget = KObject(
  {
    type: StringEnum(["Utilization", "Value", "AverageValue"] as const),
    value: Type.Optional(Quantity({ description: "Target value of the metric (Value)." })),
    averageValue: Type.Optional(Quantity({ description: "Target value per pod (AverageValue)." })),
    averageUtilization: Type.Optional(
      Type.Integer({ minimum: 1, format: "int32", description: "Target percent of the pods' requests (Utilization)." }),
    ),
  },
  {
    "x-kubernetes-validations": [
      {
        rule: "self.type != 'Utilization' || has(self.averageUtilization)",
        message: "averageUtilization is required for type Utilization",
      },
      { rule: "self.type != 'Value' || has(self.value)", message: "value is required for type Value" },
      { rule: "self.type != 'AverageValue' || has(self.averageValue)", message: "averageValue is required for type AverageValue" },
    ],
  },
);

export const MetricIdentifier = KObject({
  name: Type.String({ minLength: 1 }),
  selector: Type.Optional(LabelSelector),
});

const METRIC_TYPES = ["Resource", "ContainerResource", "Pods", "Object", "External"] as const;

export const MetricSpec = KObject(
  {
    type: StringEnum(METRIC_TYPES),
    resource: Type.Optional(KObject({ name: Type.String({ minLength: 1 }), target: MetricTarget })),
    containerResource: Type.Optional(
      KObject({ name: Type.String({ minLength: 1 }), container: Type.String({ minLength: 1 }), target: MetricTarget }),
    ),
    pods: Type.Optional(KObject({ metric: MetricIdentifier, target: MetricTarget })),
    object: Type.Optional(
      KObject({
        describedObject: KObject({
          apiVersion: Type.Optional(Type.String()),
          kind: Type.String({ minLength: 1 }),
          name: Type.String({ minLength: 1 }),
        }),
        metric: MetricIdentifier,
        target: MetricTarget,
      }),
    ),
    external: Type.Optional(KObject({ metric: MetricIdentifier, target: MetricTarget })),
  },
  {
    "x-kubernetes-validations": [
      { rule: "self.type != 'Resource' || has(self.resource)", message: "a metric of type Resource needs the resource field" },
      {
        rule: "self.type != 'ContainerResource' || has(self.containerResource)",
        message: "a metric of type ContainerResource needs the containerResource field",
      },
      { rule: "self.type != 'Pods' || has(self.pods)", message: "a metric of type Pods needs the pods field" },
      { rule: "self.type != 'Object' || has(self.object)", message: "a metric of type Object needs the object field" },
      { rule: "self.type != 'External' || has(self.external)", message: "a metric of type External needs the external field" },
      {
        rule: "(has(self.resource) ? 1 : 0) + (has(self.containerResource) ? 1 : 0) + (has(self.pods) ? 1 : 0) + (has(self.object) ? 1 : 0) + (has(self.external) ? 1 : 0) == 1",
        message: "set exactly one metric source: the field named by type",
      },
      {
        rule: "!has(self.resource) || self.resource.target.type != 'Value'",
        message: "a Resource metric's target is Utilization or AverageValue",
      },
      {
        rule: "!has(self.pods) || self.pods.target.type == 'AverageValue'",
        message: "a Pods metric's target is AverageValue",
      },
    ],
  },
);
export type MetricSpec = Static<typeof MetricSpec>;

export const ScalingPolicy = KObject({
  type: StringEnum(["Pods", "Percent"] as const),
  value: Type.Integer({ minimum: 1, format: "int32", description: "Pods, or percent of the replicas at the period's start." }),
  periodSeconds: Type.Integer({ minimum: 1, maximum: 1800, format: "int32", description: "The window the policy holds over (1–1800 s)." }),
});

export const ScalingRules = KObject({
  stabilizationWindowSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 3600, format: "int32" })),
  selectPolicy: Type.Optional(StringEnum(["Max", "Min", "Disabled"] as const)),
  policies: Type.Optional(Type.Array(ScalingPolicy, { maxItems: 10, "x-kubernetes-list-type": "atomic" })),
  tolerance: Type.Optional(Quantity({ description: "How far the usage ratio may move from 1.0 before scaling this way (default 0.1)." })),
});

export const Behavior = KObject({ scaleUp: Type.Optional(ScalingRules), scaleDown: Type.Optional(ScalingRules) });
export type Behavior = Static<typeof Behavior>;

export const FederatedHPASpec = KObject(
  {
    scaleTargetRef: ScaleTargetRef,
    minReplicas: Type.Integer({ minimum: 0, format: "int32", default: 1, description: "Replicas of the whole fleet, at least." }),
    maxReplicas: Type.Integer({ minimum: 1, format: "int32", description: "Replicas of the whole fleet, at most." }),
    metrics: Type.Optional(Type.Array(MetricSpec, { maxItems: 16, "x-kubernetes-list-type": "atomic" })),
    behavior: Type.Optional(Behavior),
  },
  {
    "x-kubernetes-validations": [
      {
        rule: "self.minReplicas <= self.maxReplicas",
        message: "must be greater than or equal to minReplicas",
        fieldPath: ".maxReplicas",
      },
      {
        rule: "self.minReplicas > 0 || (has(self.metrics) && self.metrics.exists(m, m.type == 'Object' || m.type == 'External'))",
        message: "minReplicas 0 (scale to zero) needs an Object or External metric to scale up from zero on",
        fieldPath: ".minReplicas",
      },
    ],
  },
);
export type FederatedHPASpec = Static<typeof FederatedHPASpec>;

const TimedCount = (description: string) =>
  Type.Array(KObject({ time: Type.String({ format: "date-time" }), replicas: Type.Integer({ minimum: 0 }) }), {
    maxItems: 256,
    description,
  });

export const FederatedHPAStatus = KObject({
  observedGeneration: Type.Optional(Type.Integer({ minimum: 0, format: "int64" })),
  lastScaleTime: Type.Optional(Type.String({ format: "date-time" })),
  currentReplicas: Type.Optional(Type.Integer({ minimum: 0 })),
  desiredReplicas: Type.Optional(Type.Integer({ minimum: 0 })),
  currentMetrics: Type.Optional(OpaqueList<V2MetricStatus>()),
  reference: Type.Optional(Type.String({ description: "The target as `kubectl get hpa` names it: `FederatedDeployment/web`." })),
  targets: Type.Optional(
    Type.String({ description: "Each metric's current value over its target, as `kubectl get hpa` prints it: `cpu: 90%/50%`." }),
  ),
  conditions: Type.Optional(Conditions()),
  /** Kept so a restarted autoscaler neither forgets a stabilization window nor a rate limit. */
  history: Type.Optional(
    KObject({
      recommendations: Type.Optional(TimedCount("Recent recommendations, for the stabilization windows.")),
      scaleUpEvents: Type.Optional(TimedCount("Recent scale-ups (replicas added), for the scale-up policies.")),
      scaleDownEvents: Type.Optional(TimedCount("Recent scale-downs (replicas removed), for the scale-down policies.")),
    }),
  ),
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
    { name: "Reference", type: "string", jsonPath: ".status.reference" },
    { name: "Targets", type: "string", jsonPath: ".status.targets" },
    { name: "MinPods", type: "integer", jsonPath: ".spec.minReplicas" },
    { name: "MaxPods", type: "integer", jsonPath: ".spec.maxReplicas" },
    { name: "Replicas", type: "integer", jsonPath: ".status.currentReplicas" },
    { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
  ],
};
