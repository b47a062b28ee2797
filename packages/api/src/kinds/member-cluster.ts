/** `MemberCluster`: one Kubernetes cluster of the fleet, registered on the host cluster. */
import { Type, type Static } from "@sinclair/typebox";
import type { KindDefinition } from "../kind-definition.ts";
import { Described, KObject, ResourceList, StringEnum, StringMap } from "../schema/builders.ts";
import { Conditions, ObservedGeneration, SecretKeyRef, type KubeObject } from "../schema/meta.ts";
import { TIERS } from "../schema/workload.ts";

/** A cordon on a member: workloads that do not tolerate it are not placed there. */
export const ClusterTaint = KObject({
  key: Type.String({ minLength: 1, maxLength: 317, description: "The taint's key, e.g. `maintenance`." }),
  value: Type.Optional(Type.String({ maxLength: 63, description: "The taint's value, matched by tolerations with operator Equal." })),
  effect: StringEnum(["NoSchedule", "PreferNoSchedule", "NoExecute"] as const, {
    description:
      "NoSchedule or NoExecute: workloads whose pods do not tolerate the taint are not placed here. PreferNoSchedule does not keep workloads out.",
  }),
});

export const MemberClusterSpec = KObject(
  {
    tier: StringEnum(TIERS, { description: "idc clusters are filled before cloud clusters." }),
    priority: Type.Integer({
      default: 100,
      minimum: 0,
      maximum: 1000000,
      format: "int32",
      description: "Fill order within the fleet: lower is filled first.",
    }),
    region: Type.Optional(Type.String({ maxLength: 63, description: "The member's region, for placement selectors, e.g. `eu-west-1`." })),
    zone: Type.Optional(Type.String({ maxLength: 63, description: "The member's zone within its region, for placement selectors." })),
    taints: Type.Optional(
      Type.Array(ClusterTaint, {
        maxItems: 32,
        description: "Cordons: workloads whose pod template does not tolerate a taint are not placed here (as node taints work for pods).",
      }),
    ),
    fenced: Type.Optional(
      Type.Boolean({
        description:
          "Declares the member gone for good (powered off, cut off for ever): its StatefulSet ordinals may start elsewhere although nobody can see its pods stop, and nothing is placed there. Never set it on a member that may still run them.",
      }),
    ),
    kubeconfigSecretRef: Described(
      SecretKeyRef,
      "The Secret holding the kubeconfig Spillway uses to reach this member; a change to the Secret reconnects at once.",
    ),
  },
  { description: "How to reach the member and how the scheduler should rank it." },
);
export type MemberClusterSpec = Static<typeof MemberClusterSpec>;

export const MemberClusterStatus = KObject(
  {
    observedGeneration: Type.Optional(ObservedGeneration()),
    conditions: Type.Optional(
      Conditions(
        "Ready: True while cluster-gateway reaches the member's API server; False with a reason (Unreachable, Unauthorized, KubeconfigInvalid…) and a message saying what to fix.",
      ),
    ),
    kubernetesVersion: Type.Optional(Type.String({ description: "The member API server's version, e.g. `v1.34.4`." })),
    nodeCount: Type.Optional(Type.Integer({ minimum: 0, format: "int32", description: "Nodes in the member." })),
    allocatable: Type.Optional({
      ...ResourceList(),
      description: "The sum of the Ready, schedulable nodes' allocatable resources, e.g. `cpu: 64`, `memory: 256Gi`, `nvidia.com/gpu: 8`.",
    }),
    requested: Type.Optional({ ...ResourceList(), description: "The sum of the requests of the pods running or bound there." }),
    labels: Type.Optional(StringMap(Type.String(), { description: "The member's labels as placement selectors see them." })),
  },
  { description: "What cluster-gateway last observed of the member." },
);
export type MemberClusterStatus = Static<typeof MemberClusterStatus>;

export type MemberCluster = KubeObject<MemberClusterSpec, MemberClusterStatus>;

export const memberClusterKind: KindDefinition = {
  kind: "MemberCluster",
  plural: "memberclusters",
  singular: "membercluster",
  shortNames: ["smc"],
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
