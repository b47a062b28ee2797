/**
 * What the orchestrator sees of one member for one FederatedStatefulSet: the shell's sight, the
 * managed StatefulSet there and its pods, as plain data.
 */
import type { MemberSight } from "@spillway/rules";
import type { Range } from "./ordinal-steps.ts";

export interface LivePod {
  ordinal: number;
  ready: boolean;
  /** When the pod last became Ready (ms). */
  readySinceMs?: number;
  terminating: boolean;
  /** `controller-revision-hash`: the member StatefulSet revision it runs. */
  revision?: string;
  /** Why it is not Ready, e.g. `Pending: 0/4 nodes are available: 4 Insufficient cpu`. */
  reason?: string;
  /** When the member made it (ms, the member's clock). */
  createdMs?: number;
}

/** A volume claim of one of the workload's ordinals (`<template>-<name>-<ordinal>`) in a member. */
export interface LiveClaim {
  ordinal: number;
  /** Its name in the member, for the delete. */
  name: string;
  /** When the member made it (ms, the member's clock): the newest claim of an ordinal holds its data. */
  createdMs: number;
  terminating: boolean;
}

export interface LiveStatefulSet {
  metadata?: { generation?: number; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { replicas?: number; ordinals?: { start?: number }; updateStrategy?: { rollingUpdate?: { partition?: number } } };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    updatedReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
  };
}

/** A member as the orchestrator sees it: the shell's sight, the managed StatefulSet and its pods. */
export interface MemberView extends MemberSight {
  statefulSet: LiveStatefulSet | undefined;
  /** A range written moments ago that the watch may not show yet: it counts as held. */
  written?: Range;
  pods: LivePod[];
  /** The workload's volume claims there, whoever's StatefulSet made them (ours, now or before). */
  claims: LiveClaim[];
}

/** The ordinal a claim named `<template>-<name>-<ordinal>` belongs to, for one of `templates`; undefined for any other name. */
export function claimOrdinal(claimName: string, workloadName: string, templates: string[]): number | undefined {
  for (const t of templates) {
    const prefix = `${t}-${workloadName}-`;
    if (!claimName.startsWith(prefix)) continue;
    const rest = claimName.slice(prefix.length);
    if (/^(0|[1-9][0-9]*)$/.test(rest)) return Number(rest);
  }
  return undefined;
}

/** The ordinals a member StatefulSet's spec covers. */
export function specRange(s: LiveStatefulSet | undefined): Range | undefined {
  if (!s) return undefined;
  return { start: s.spec?.ordinals?.start ?? 0, count: s.spec?.replicas ?? 1 };
}
