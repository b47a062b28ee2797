/**
 * `FederatedDeployment`: an `apps/v1` Deployment spec for the whole fleet, plus where it may go
 * and what changes per cluster. Status is named as a Deployment's so `kubectl rollout status`
 * style tooling and dashboards read it unchanged.
 */
import { Type, type Static } from "@sinclair/typebox";
import type { KindDefinition } from "../kind-definition.ts";
import { Described, KObject, StringEnum } from "../schema/builders.ts";
import { Conditions, ObservedGeneration, type KubeObject } from "../schema/meta.ts";
import {
  workloadDependencyConflicts,
  Budget,
  Replicas,
  rollingUpdateOnly,
  selectorRules,
  workloadCore,
  workloadPlacement,
  workloadStatusCounts,
} from "../schema/workload.ts";

export const RollingUpdateDeployment = KObject(
  {
    maxSurge: Described(
      Budget("25%"),
      "Pods above spec.replicas the rollout may run at once, counted over the WHOLE fleet (not per cluster): a count, or a percentage of replicas rounded up. Default 25%.",
    ),
    maxUnavailable: Described(
      Budget("25%"),
      "Pods below spec.replicas that may be unavailable during the rollout, fleet-wide: a count, or a percentage of replicas rounded down. Default 25%.",
    ),
  },
  {
    description: "The fleet-wide rolling-update budget; fleet-root hands it out to members as they have room.",
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
    type: StringEnum(["RollingUpdate", "Recreate"] as const, {
      default: "RollingUpdate",
      description:
        "RollingUpdate (default): replace pods within the fleet-wide budget. Recreate: stop every old pod before starting new ones.",
    }),
    rollingUpdate: Type.Optional(RollingUpdateDeployment),
  },
  {
    description: "How pods are replaced when the template changes, with a Deployment's meaning applied to the whole fleet.",
    "x-kubernetes-validations": [rollingUpdateOnly("may not be specified when strategy type is Recreate")],
  },
);

export const FederatedDeploymentSpec = KObject(
  {
    ...workloadCore(),
    strategy: Type.Optional(DeploymentStrategy),
    minReadySeconds: Type.Optional(
      Type.Integer({
        minimum: 0,
        format: "int32",
        description: "Seconds a new pod must be ready before it counts as available. Default 0.",
      }),
    ),
    revisionHistoryLimit: Type.Optional(
      Type.Integer({
        minimum: 0,
        format: "int32",
        default: 10,
        description: "Old ReplicaSets each member keeps for rollback. Default 10.",
      }),
    ),
    progressDeadlineSeconds: Type.Optional(
      Type.Integer({
        minimum: 1,
        format: "int32",
        default: 600,
        description:
          "Seconds a rollout may make no progress (anywhere in the fleet) before the Progressing condition turns False with reason ProgressDeadlineExceeded. Default 600.",
      }),
    ),
    paused: Type.Optional(Type.Boolean({ description: "True stops the rollout where it is in every member; false or absent resumes it." })),
    ...workloadPlacement(),
  },
  {
    description:
      "An apps/v1 Deployment spec for the whole fleet, plus where it may run (placement) and what changes per cluster (overrides).",
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
  name: Type.String({ description: "The member cluster." }),
  replicas: Replicas({ description: "Pods of the workload in this member (its Deployment's status.replicas)." }),
  updatedReplicas: Type.Optional(Replicas({ description: "Of them, pods of the current template." })),
  readyReplicas: Type.Optional(Replicas({ description: "Of them, pods that are ready." })),
  availableReplicas: Type.Optional(Replicas({ description: "Of them, pods ready for at least minReadySeconds." })),
  reachable: Type.Optional(
    Type.Boolean({ description: "False when the member could not be read; the counts are then the last ones seen." }),
  ),
});

/** A member whose old pods the rollout cannot replace where they are. */
export const StalledCluster = KObject({
  name: Type.String({ description: "The member cluster." }),
  replicas: Replicas({
    description: "Replicas to place elsewhere for now: its old pods, at most the rollout's surge budget.",
  }),
  placedReplicas: Replicas({
    description: "The member's replicas in the Placement this was judged against; the scheduler lends only from that placement.",
  }),
});

export const FederatedDeploymentStatus = KObject(
  {
    observedGeneration: Type.Optional(ObservedGeneration()),
    replicas: Type.Optional(Replicas({ description: "Pods of the workload in the whole fleet, old and new." })),
    updatedReplicas: Type.Optional(Replicas({ description: "Pods of the current template, fleet-wide." })),
    ...workloadStatusCounts(),
    unavailableReplicas: Type.Optional(Replicas({ description: "spec.replicas minus availableReplicas (never below 0)." })),
    conditions: Type.Optional(
      Conditions(
        "Available (enough pods available fleet-wide) and Progressing (the rollout moves; False with ProgressDeadlineExceeded when stuck), as a Deployment's. Where the replicas go, or why they fit nowhere, is in the workload's Placement.",
      ),
    ),
    clusters: Type.Optional(
      Type.Array(ClusterWorkloadStatus, {
        "x-kubernetes-list-type": "map",
        "x-kubernetes-list-map-keys": ["name"],
        description: "Each member's share of the workload, as last observed there.",
      }),
    ),
    stalledClusters: Type.Optional(
      Type.Array(StalledCluster, {
        "x-kubernetes-list-type": "map",
        "x-kubernetes-list-map-keys": ["name"],
        description:
          "Members holding old pods with no room for a surge pod and no unavailability budget to spend, while the fleet's surge budget is free: the scheduler lends their replicas to members with room.",
      }),
    ),
    ...workloadDependencyConflicts(),
    waitingForRoomSince: Type.Optional(
      Type.String({
        format: "date-time",
        description: "Since when the rollout has waited because no eligible member has room; progressDeadlineSeconds counts from here.",
      }),
    ),
  },
  { description: "What the fleet runs, named as a Deployment's status so rollout tooling reads it unchanged. Written by fleet-root." },
);
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
    { name: "Ready", type: "string", jsonPath: ".status.readyOfDesired" },
    { name: "Up-to-date", type: "integer", jsonPath: ".status.updatedReplicas" },
    { name: "Available", type: "integer", jsonPath: ".status.availableReplicas" },
    { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
  ],
};
