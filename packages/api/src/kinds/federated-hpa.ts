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
import { Described, KObject, Quantity, StringEnum } from "../schema/builders.ts";
import { Conditions, LabelSelector, ObservedGeneration, type KubeObject } from "../schema/meta.ts";
import { OpaqueList } from "../schema/workload.ts";

/** What the autoscaler scales: a federated workload, through its `scale` subresource. */
export const ScaleTargetRef = KObject(
  {
    apiVersion: Type.String({ minLength: 1, description: "spillway.dev/v1alpha1" }),
    kind: StringEnum(["FederatedDeployment", "FederatedStatefulSet"] as const, {
      description: "A federated workload with a scale subresource.",
    }),
    name: Type.String({ minLength: 1, maxLength: 253, description: "The workload's name, in the autoscaler's namespace." }),
  },
  { description: "The federated workload to scale, through its scale subresource; the autoscaler owns its spec.replicas." },
);

export const MetricTarget = KObject(
  {
    type: StringEnum(["Utilization", "Value", "AverageValue"] as const, {
      description:
        "Utilization (percent of requests; averageUtilization), Value (the metric's total; value) or AverageValue (per pod; averageValue).",
    }),
    value: Type.Optional(Quantity({ description: "Target value of the metric (Value)." })),
    averageValue: Type.Optional(Quantity({ description: "Target value per pod (AverageValue)." })),
    averageUtilization: Type.Optional(
      Type.Integer({ minimum: 1, format: "int32", description: "Target percent of the pods' requests (Utilization)." }),
    ),
  },
  {
    description: "The value the autoscaler holds the metric at, across the whole fleet.",
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

export const MetricIdentifier = KObject(
  {
    name: Type.String({
      minLength: 1,
      description: "The metric's name, as the metrics adapter serves it, e.g. `http_requests_per_second`.",
    }),
    selector: Type.Optional(Described(LabelSelector, "Narrows the metric to the series whose labels match (passed to the metrics API).")),
  },
  { description: "Which metric: its name and, optionally, a label selector." },
);

const METRIC_TYPES = ["Resource", "ContainerResource", "Pods", "Object", "External"] as const;

export const MetricSpec = KObject(
  {
    type: StringEnum(METRIC_TYPES, {
      description: "The metric source: Resource, ContainerResource, Pods, Object or External; set the field of that name.",
    }),
    resource: Type.Optional(
      KObject(
        { name: Type.String({ minLength: 1, description: "The resource: `cpu` or `memory`." }), target: MetricTarget },
        {
          description:
            "A resource (cpu, memory) of the workload's pods in every member, averaged over all of them (members' metrics-server).",
        },
      ),
    ),
    containerResource: Type.Optional(
      KObject(
        {
          name: Type.String({ minLength: 1, description: "The resource: `cpu` or `memory`." }),
          container: Type.String({ minLength: 1, description: "The container whose usage counts." }),
          target: MetricTarget,
        },
        { description: "Like resource, for one container of the pods only." },
      ),
    ),
    pods: Type.Optional(
      KObject(
        { metric: MetricIdentifier, target: MetricTarget },
        { description: "A custom metric of each pod (custom.metrics.k8s.io in the members), averaged over the fleet's pods." },
      ),
    ),
    object: Type.Optional(
      KObject(
        {
          describedObject: KObject(
            {
              apiVersion: Type.Optional(Type.String({ description: "The object's API version, e.g. `networking.k8s.io/v1`." })),
              kind: Type.String({ minLength: 1, description: "The object's kind, e.g. `Ingress`." }),
              name: Type.String({ minLength: 1, description: "The object's name, in the autoscaler's namespace." }),
            },
            { description: "The object the metric describes." },
          ),
          metric: MetricIdentifier,
          target: MetricTarget,
        },
        { description: "A metric describing one object on the host (custom.metrics.k8s.io), e.g. an Ingress's requests per second." },
      ),
    ),
    external: Type.Optional(
      KObject(
        { metric: MetricIdentifier, target: MetricTarget },
        { description: "A metric from outside Kubernetes (external.metrics.k8s.io on the host), e.g. a queue's length." },
      ),
    ),
  },
  {
    description: "One metric to scale on; with several, the largest recommendation wins.",
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
  type: StringEnum(["Pods", "Percent"] as const, {
    description: "Pods: value is a number of pods. Percent: value is a percentage of the replicas.",
  }),
  value: Type.Integer({ minimum: 1, format: "int32", description: "Pods, or percent of the replicas at the period's start." }),
  periodSeconds: Type.Integer({ minimum: 1, maximum: 1800, format: "int32", description: "The window the policy holds over (1–1800 s)." }),
});

export const ScalingRules = KObject({
  stabilizationWindowSeconds: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 3600,
      format: "int32",
      description: "Seconds of past recommendations considered; the most conservative one wins. Default 0 up, 300 down.",
    }),
  ),
  selectPolicy: Type.Optional(
    StringEnum(["Max", "Min", "Disabled"] as const, {
      description: "Which policy applies when several do: Max (default, the largest change), Min, or Disabled (never scale this way).",
    }),
  ),
  policies: Type.Optional(
    Type.Array(ScalingPolicy, {
      maxItems: 10,
      "x-kubernetes-list-type": "atomic",
      description: "Limits on how fast replicas change, e.g. `{type: Percent, value: 100, periodSeconds: 15}`.",
    }),
  ),
  tolerance: Type.Optional(Quantity({ description: "How far the usage ratio may move from 1.0 before scaling this way (default 0.1)." })),
});

export const Behavior = KObject(
  {
    scaleUp: Type.Optional(Described(ScalingRules, "How fast to scale up. Default: double or add 4 pods per 15 s, whichever is more.")),
    scaleDown: Type.Optional(Described(ScalingRules, "How fast to scale down. Default: a 300 s window, then any amount per 15 s.")),
  },
  { description: "Scaling speed and stabilization, as in autoscaling/v2; defaults are Kubernetes'." },
);
export type Behavior = Static<typeof Behavior>;

export const FederatedHPASpec = KObject(
  {
    scaleTargetRef: ScaleTargetRef,
    minReplicas: Type.Integer({ minimum: 0, format: "int32", default: 1, description: "Replicas of the whole fleet, at least." }),
    maxReplicas: Type.Integer({ minimum: 1, format: "int32", description: "Replicas of the whole fleet, at most." }),
    metrics: Type.Optional(
      Type.Array(MetricSpec, {
        maxItems: 16,
        "x-kubernetes-list-type": "atomic",
        description: "What to scale on. Default: cpu at 80% average utilization, as an HPA.",
      }),
    ),
    behavior: Type.Optional(Behavior),
  },
  {
    description: "autoscaling/v2 HorizontalPodAutoscaler semantics over the whole fleet: min and max count fleet-wide replicas.",
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
  Type.Array(
    KObject({
      time: Type.String({ format: "date-time", description: "When." }),
      replicas: Type.Integer({ minimum: 0, description: "The replica count (or change) recorded then." }),
    }),
    {
      maxItems: 256,
      description,
    },
  );

export const FederatedHPAStatus = KObject(
  {
    observedGeneration: Type.Optional(ObservedGeneration()),
    lastScaleTime: Type.Optional(
      Type.String({ format: "date-time", description: "When the autoscaler last changed the target's replicas." }),
    ),
    currentReplicas: Type.Optional(Type.Integer({ minimum: 0, description: "The target's replicas, fleet-wide, when last read." })),
    desiredReplicas: Type.Optional(Type.Integer({ minimum: 0, description: "The replicas the autoscaler last asked for." })),
    currentMetrics: Type.Optional({
      ...OpaqueList<V2MetricStatus>(),
      description: "Each metric's current value, aggregated over the fleet, as autoscaling/v2 MetricStatus.",
    }),
    reference: Type.Optional(Type.String({ description: "The target as `kubectl get hpa` names it: `FederatedDeployment/web`." })),
    targets: Type.Optional(
      Type.String({ description: "Each metric's current value over its target, as `kubectl get hpa` prints it: `cpu: 90%/50%`." }),
    ),
    conditions: Type.Optional(
      Conditions("AbleToScale, ScalingActive and ScalingLimited, as an HPA's: False with the reason when a metric cannot be read."),
    ),
    /** Kept so a restarted autoscaler neither forgets a stabilization window nor a rate limit. */
    history: Type.Optional(
      KObject(
        {
          recommendations: Type.Optional(TimedCount("Recent recommendations, for the stabilization windows.")),
          scaleUpEvents: Type.Optional(TimedCount("Recent scale-ups (replicas added), for the scale-up policies.")),
          scaleDownEvents: Type.Optional(TimedCount("Recent scale-downs (replicas removed), for the scale-down policies.")),
        },
        { description: "What the autoscaler remembers across restarts: recent recommendations and scale events." },
      ),
    ),
  },
  { description: "What the autoscaler sees and last did, as an HPA's status." },
);
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
