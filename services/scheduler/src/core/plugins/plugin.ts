/**
 * A scheduler plugin, after Karmada's framework: a name, and a filter (may this cluster receive
 * new replicas of this workload?) and/or a score (lower sorts first). Results carry a code and a
 * human reason that ends up in the Placement.
 */
import type { ClusterView, WorkloadRequest } from "../types.ts";

export type Code = "Success" | "Unschedulable";

export interface FilterResult {
  code: Code;
  reason: string;
}

export interface Plugin {
  name: string;
  filter?: (w: WorkloadRequest, c: ClusterView) => FilterResult;
  /** A sort key; clusters are filled in ascending order. */
  score?: (w: WorkloadRequest, c: ClusterView) => readonly (string | number)[];
  /** What of the workload its score depends on: workloads with equal keys order clusters alike (a pass sorts once per key). */
  scoreKey?: (w: WorkloadRequest) => string;
}

export const success: FilterResult = { code: "Success", reason: "" };
export const unschedulable = (reason: string): FilterResult => ({ code: "Unschedulable", reason });
