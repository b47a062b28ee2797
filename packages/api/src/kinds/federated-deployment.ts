/**
 * `FederatedDeployment`: an `apps/v1` Deployment spec for the whole fleet, plus where it may go
 * and what changes per cluster. Status is named as a Deployment's so `kubectl rollout status`
 * style tooling and dashboards read it unchanged.
 */
import { Type, type Static } from "@sinclair/typebox";
import type { KindDefinition } from "../kind-definition.ts";
import { KObject, StringEnum } from "../schema/builders.ts";
import { Conditions, type KubeObject } from "../schema/meta.ts";
import { Budget, Replicas, rollingUpdateOnly, selectorRules, workloadCore, workloadPlacement } from "../schema/workload.ts";

export const RollingUpdateDeployment = KObject(
  {
    maxSurge: Budget("25%"),
    maxUnavailable: Budget("25%"),
  },
  {
    "x-kubernetes-validations": [
      {
        rule: "!((type(self.maxSurge) == int ? self.maxSurge == 0 : self.maxSurge == '0%') && (type(self.maxUnavailable) == int ? self.maxUnavailable == 0 : self.maxUnavailable == '0%'))",
        message: "may not be 0 when maxSurge is 0: maxSurge and maxUnavailable cannot both be zero",
        fieldPath: ".maxUnavailable",
      },
      {
        rule: "type(self.maxUnavailable) == int || int(self.maxUnavailable.replace('%', '')) <= 100",
        message: "must not be greater than 100%",
        fieldPath: ".maxUnavailable",
      },
    ],
  },
);

export const DeploymentStrategy = KObject(
  {
    type: StringEnum(["RollingUpdate", "Recreate"] as const, { default: "RollingUpdate" }),
    rollingUpdate: Type.Optional(RollingUpdateDeployment),
  },
  { "x-kubernetes-validations": [rollingUpdateOnly("may not be specified when strategy type is Recreate")] },
);

export const FederatedDeploymentSpec = KObject(
  {
    ...workloadCore(),
    strategy: Type.Optional(DeploymentStrategy),
    minReadySeconds: Type.Optional(Type.Integer({ minimum: 0, format: "int32" })),
    revisionHistoryLimit: Type.Optional(Type.Integer({ minimum: 0, format: "int32", default: 10 })),
    progressDeadlineSeconds: Type.Optional(Type.Integer({ minimum: 1, format: "int32", default: 600 })),
    paused: Type.Optional(Type.Boolean()),
    ...workloadPlacement(),
  },
  {
    "x-kubernetes-validations": [
      ...selectorRules,
      {
        rule: "!has(self.minReadySeconds) || !has(self.progressDeadlineSeconds) || self.progressDeadlineSeconds > self.minReadySeconds",
        message: "must be greater than minReadySeconds",
        fieldPath: ".progressDeadlineSeconds",
      },
    ],
  },
);
export type FederatedDeploymentSpec = Static<typeof FederatedDeploymentSpec>;

/** One member's share of the workload, as last observed there. */
export const ClusterWorkloadStatus = KObject({
  name: Type.String(),
  replicas: Replicas(),
  updatedReplicas: Type.Optional(Replicas()),
  readyReplicas: Type.Optional(Replicas()),
  availableReplicas: Type.Optional(Replicas()),
  reachable: Type.Optional(Type.Boolean()),
});

/** A member whose old pods the rollout cannot replace where they are. */
export const StalledCluster = KObject({
  name: Type.String(),
  replicas: Replicas({
    description: "Replicas to place elsewhere for now: its old pods, at most the rollout's surge budget.",
  }),
  placedReplicas: Replicas({
    description: "The member's replicas in the Placement this was judged against; the scheduler lends only from that placement.",
  }),
});

export const FederatedDeploymentStatus = KObject({
  observedGeneration: Type.Optional(Type.Integer({ minimum: 0, format: "int64" })),
  replicas: Type.Optional(Replicas()),
  updatedReplicas: Type.Optional(Replicas()),
  readyReplicas: Type.Optional(Replicas()),
  availableReplicas: Type.Optional(Replicas()),
  unavailableReplicas: Type.Optional(Replicas()),
  selector: Type.Optional(Type.String({ description: "The label selector in string form, for the scale subresource." })),
  conditions: Type.Optional(Conditions()),
  clusters: Type.Optional(Type.Array(ClusterWorkloadStatus, { "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"] })),
  stalledClusters: Type.Optional(
    Type.Array(StalledCluster, {
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["name"],
      description:
        "Members holding old pods with no room for a surge pod and no unavailability budget to spend, while the fleet's surge budget is free: the scheduler lends their replicas to members with room.",
    }),
  ),
  waitingForRoomSince: Type.Optional(
    Type.String({
      format: "date-time",
      description: "Since when the rollout has waited because no eligible member has room; progressDeadlineSeconds counts from here.",
    }),
  ),
});
export type FederatedDeploymentStatus = Static<typeof FederatedDeploymentStatus>;

export type FederatedDeployment = KubeObject<FederatedDeploymentSpec, FederatedDeploymentStatus>;

export const federatedDeploymentKind: KindDefinition = {
  kind: "FederatedDeployment",
  plural: "federateddeployments",
  singular: "federateddeployment",
  shortNames: ["fdeploy"],
  scope: "Namespaced",
  categories: ["spillway", "all"],
  spec: FederatedDeploymentSpec,
  status: FederatedDeploymentStatus,
  description: "A Deployment for the whole fleet: placed IDC first, rolled out with one global budget.",
  scale: {
    specReplicasPath: ".spec.replicas",
    statusReplicasPath: ".status.replicas",
    labelSelectorPath: ".status.selector",
  },
  printerColumns: [
    { name: "Desired", type: "integer", jsonPath: ".spec.replicas" },
    { name: "Up-to-date", type: "integer", jsonPath: ".status.updatedReplicas" },
    { name: "Ready", type: "integer", jsonPath: ".status.readyReplicas" },
    { name: "Available", type: "integer", jsonPath: ".status.availableReplicas" },
    { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
  ],
};
