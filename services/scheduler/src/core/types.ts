/**
 * The scheduler's inputs and outputs as plain data. Everything the decision depends on is here,
 * so a decision is a pure function of these values (same input, same output).
 */
import type { ResourceVector } from "@spillway/resources";
import type { LabelSelector, Requirement as NodeSelectorRequirement } from "@spillway/rules";

export type Tier = "idc" | "cloud";

export interface Toleration {
  key?: string;
  operator?: "Exists" | "Equal";
  value?: string;
  effect?: string;
}

export interface Taint {
  key: string;
  value: string;
  effect: string;
}

/** Selectors as the rules package reads them (one reading for every service). */
export type { LabelSelector, Requirement as NodeSelectorRequirement } from "@spillway/rules";

/** What one workload asks for. */
export interface WorkloadRequest {
  key: string;
  replicas: number;
  perReplica: ResourceVector;
  nodeSelector: Record<string, string>;
  /** Required node affinity: OR of terms, each an AND of requirements. Empty = any node. */
  nodeAffinity: NodeSelectorRequirement[][];
  tolerations: Toleration[];
  placement: {
    clusterNames?: string[];
    clusterSelector?: LabelSelector;
    tierOrder?: Tier[];
    maxClusters?: number;
    bounds?: Record<string, { min?: number; max?: number }>;
  };
  /** Members holding their own objects where the host holds sources the pods need (member → `Kind/name`s): kept out. */
  dependencyConflicts?: Record<string, string[]>;
  /** Most replicas failback may move in one step (the workload's maxSurge, at least 1). */
  failbackStep: number;
  /**
   * Set while the workload rolls out: the scheduler then publishes room for surge pods, lends the
   * replicas of stalled members to members with room, and holds failback until the rollout is over.
   */
  rollout?: {
    stalled: StalledMember[];
    /** Members still running pods of an old template: no loan goes there (it would grow old pods). */
    withOldPods: string[];
  };
}

/** A member whose old pods fleet-root cannot replace where they are (no room, no budget to spend). */
export interface StalledMember {
  cluster: string;
  /** Replicas to place elsewhere for now: its old pods, at most the rollout's surge budget. */
  replicas: number;
  /** The member's placed replicas fleet-root judged against: a report on another placement is stale. */
  placedReplicas: number;
}

/** Room for surge pods of the current template in one eligible member (capped at the surge step). */
export interface MemberRoom {
  name: string;
  pods: number;
  /** What is short there when no pod fits. */
  short?: string;
}

export interface NodeCapacity {
  name: string;
  labels: Record<string, string>;
  taints: Taint[];
  free: ResourceVector;
  freePods: number;
}

/** One member as the scheduler sees it. */
export interface ClusterView {
  name: string;
  tier: Tier;
  priority: number;
  labels: Record<string, string>;
  /** Cluster-level taints from MemberCluster.spec.taints. */
  taints: Taint[];
  ready: boolean;
  /** How long the member has been not Ready (0 when Ready). */
  notReadyForMs: number;
  /** Declared gone for good by a user (`MemberCluster.spec.fenced`): its StatefulSet ordinals may start elsewhere. */
  fenced?: boolean;
  nodes: NodeCapacity[];
  snapshotRevision: number;
}

/** What the workload's own pods look like in one member right now. */
export interface Observed {
  /** Replicas bound to nodes (holding resources). */
  bound: number;
  /** Replicas Pending as unschedulable, and for how long the oldest has been. */
  unschedulable: number;
  oldestUnschedulableMs: number;
}

export interface SchedulerConfig {
  failoverGraceMs: number;
  pendingThresholdMs: number;
  failbackHoldDownMs: number;
}

export const defaultSchedulerConfig: SchedulerConfig = { failoverGraceMs: 60_000, pendingThresholdMs: 60_000, failbackHoldDownMs: 120_000 };

export interface PreviousPlacement {
  replicas: Record<string, number>;
  /** When failback capacity was first seen (ms), carried in Placement status across restarts. */
  failbackSinceMs?: number;
}

export interface ClusterAssignment {
  name: string;
  replicas: number;
  /** For a FederatedStatefulSet: the first ordinal of the member's range. */
  ordinalStart?: number;
  reason: string;
}

export interface Decision {
  clusters: ClusterAssignment[];
  unschedulable: number;
  /** Why replicas fit nowhere, naming what is short; empty when all are placed. */
  message: string;
  failbackSinceMs?: number;
  /** While rolling out: room for surge pods in every eligible member, after this decision. */
  room?: MemberRoom[];
}
