/** `MemberCluster`: one Kubernetes cluster of the fleet, registered on the host cluster. */
import { Type, type Static } from "@sinclair/typebox";
import type { KindDefinition } from "../kind-definition.ts";
import { KObject, ResourceList, StringEnum, StringMap } from "../schema/builders.ts";
import { Conditions, SecretKeyRef, type KubeObject } from "../schema/meta.ts";
import { TIERS } from "../schema/workload.ts";

/** A cordon on a member: workloads that do not tolerate it are not placed there. */
export const ClusterTaint = KObject({
  key: Type.String({ minLength: 1, maxLength: 317 }),
  value: Type.Optional(Type.String({ maxLength: 63 })),
  effect: StringEnum(["NoSchedule", "PreferNoSchedule", "NoExecute"] as const),
});

export const MemberClusterSpec = KObject({
  tier: StringEnum(TIERS, { description: "idc clusters are filled before cloud clusters." }),
  priority: Type.Integer({
    default: 100,
    minimum: 0,
    maximum: 1000000,
    format: "int32",
    description: "Fill order within the fleet: lower is filled first.",
  }),
  region: Type.Optional(Type.String({ maxLength: 63 })),
  zone: Type.Optional(Type.String({ maxLength: 63 })),
  taints: Type.Optional(Type.Array(ClusterTaint, { maxItems: 32 })),
  fenced: Type.Optional(
    Type.Boolean({
      description:
        "Declares the member gone for good (powered off, cut off for ever): its StatefulSet ordinals may start elsewhere although nobody can see its pods stop, and nothing is placed there. Never set it on a member that may still run them.",
    }),
  ),
  kubeconfigSecretRef: SecretKeyRef,
});
export type MemberClusterSpec = Static<typeof MemberClusterSpec>;

export const MemberClusterStatus = KObject({
  observedGeneration: Type.Optional(Type.Integer({ minimum: 0, format: "int64" })),
  conditions: Type.Optional(Conditions()),
  kubernetesVersion: Type.Optional(Type.String()),
  nodeCount: Type.Optional(Type.Integer({ minimum: 0, format: "int32" })),
  allocatable: Type.Optional(ResourceList()),
  requested: Type.Optional(ResourceList()),
  labels: Type.Optional(StringMap(Type.String())),
});
export type MemberClusterStatus = Static<typeof MemberClusterStatus>;

export type MemberCluster = KubeObject<MemberClusterSpec, MemberClusterStatus>;

export const memberClusterKind: KindDefinition = {
  kind: "MemberCluster",
  plural: "memberclusters",
  singular: "membercluster",
  shortNames: ["mc"],
  scope: "Cluster",
  categories: ["spillway"],
  spec: MemberClusterSpec,
  status: MemberClusterStatus,
  description: "A member cluster of the fleet and how to reach it.",
  printerColumns: [
    { name: "Tier", type: "string", jsonPath: ".spec.tier" },
    { name: "Priority", type: "integer", jsonPath: ".spec.priority" },
    { name: "Ready", type: "string", jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    { name: "Version", type: "string", jsonPath: ".status.kubernetesVersion" },
    { name: "Nodes", type: "integer", jsonPath: ".status.nodeCount" },
    { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
  ],
};
