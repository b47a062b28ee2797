/**
 * `Placement`: the scheduler's decision for one workload, kept out of the workload's spec so
 * GitOps tools see no drift. Written by the scheduler alone; owned by its workload.
 */
import { Type, type Static } from "@sinclair/typebox";
import type { KindDefinition } from "../kind-definition.ts";
import { Described, KObject, StringEnum, StringMap } from "../schema/builders.ts";
import { Conditions, CrossVersionObjectReference, ObservedGeneration, type KubeObject } from "../schema/meta.ts";
import { Replicas } from "../schema/workload.ts";

export const ClusterAssignment = KObject({
  name: Type.String({ minLength: 1, description: "The member cluster." }),
  replicas: Replicas({ description: "Replicas placed in this member." }),
  ordinalStart: Type.Optional(
    Type.Integer({ minimum: 0, format: "int32", description: "For a FederatedStatefulSet: the first ordinal of the member's range." }),
  ),
  reason: Type.String({ description: "Why this cluster got this many replicas." }),
});
export type ClusterAssignment = Static<typeof ClusterAssignment>;

/** Room for a rollout's surge in one eligible member, as the scheduler's simulation sees it. */
export const MemberRoom = KObject({
  name: Type.String({ minLength: 1, description: "The member cluster." }),
  pods: Type.Integer({
    minimum: 0,
    format: "int32",
    description:
      "How many more pods of the workload's current template fit in this member now, beyond its placed replicas; capped at the rollout's surge budget.",
  }),
  short: Type.Optional(
    Type.String({ description: "When no pod fits: what is short there, e.g. `needs 4 cpu per replica; largest free node has 0`." }),
  ),
});
export type MemberRoom = Static<typeof MemberRoom>;

export const PlacementSpec = KObject(
  {
    workloadRef: Described(CrossVersionObjectReference, "The workload this placement is for (its owner)."),
    workloadGeneration: Type.Integer({
      minimum: 0,
      format: "int64",
      description: "The workload's metadata.generation the decision was made for.",
    }),
    clusters: Type.Array(ClusterAssignment, {
      description: "Where the replicas go: one entry per member that gets any, best-ranked first.",
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["name"],
      // A workload scaled to zero places nothing: server-side apply drops the empty list, and the
      // default puts it back so the Placement stays valid.
      default: [],
    }),
    unschedulableReplicas: Replicas({
      default: 0,
      description: "Replicas that fit in no eligible member now; the Scheduled condition says what is short.",
    }),
    snapshotRevisions: Type.Optional(
      StringMap(Type.Integer({ minimum: 0 }), {
        description:
          "The revision of each member's capacity snapshot the decision was made from (to tell a stale decision from a fresh one).",
      }),
    ),
    rolloutRoom: Type.Optional(
      Type.Array(MemberRoom, {
        "x-kubernetes-list-type": "map",
        "x-kubernetes-list-map-keys": ["name"],
        description:
          "Published while the workload rolls out (for workloadGeneration): room for surge pods in every eligible member. Fleet-root hands surge only where it fits; absent outside rollouts.",
      }),
    ),
  },
  {
    description:
      "The scheduler's decision. Written by the scheduler alone (server-side apply); kept out of the workload so GitOps tools see no drift.",
  },
);
export type PlacementSpec = Static<typeof PlacementSpec>;

export const PlacementStatus = KObject(
  {
    observedGeneration: Type.Optional(ObservedGeneration()),
    phase: Type.Optional(
      StringEnum(["Scheduled", "PartiallyScheduled", "Unschedulable"] as const, {
        description: "Scheduled: every replica placed. PartiallyScheduled: some fit nowhere. Unschedulable: none fit.",
      }),
    ),
    failbackSince: Type.Optional(
      Type.String({
        format: "date-time",
        description: "Since when room for failback has been seen; failback waits out the hold-down from here.",
      }),
    ),
    conditions: Type.Optional(Conditions("Scheduled: True when every replica is placed; False with what is short where.")),
  },
  { description: "How the decision stands." },
);
export type PlacementStatus = Static<typeof PlacementStatus>;

export type Placement = KubeObject<PlacementSpec, PlacementStatus>;

export const placementKind: KindDefinition = {
  kind: "Placement",
  plural: "placements",
  singular: "placement",
  shortNames: ["spl"],
  scope: "Namespaced",
  categories: ["spillway"],
  spec: PlacementSpec,
  status: PlacementStatus,
  description: "Where the scheduler put a federated workload's replicas, and why.",
  printerColumns: [
    { name: "Workload", type: "string", jsonPath: ".spec.workloadRef.name" },
    { name: "Unschedulable", type: "integer", jsonPath: ".spec.unschedulableReplicas" },
    { name: "Scheduled", type: "string", jsonPath: '.status.conditions[?(@.type=="Scheduled")].status' },
    { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
  ],
};
