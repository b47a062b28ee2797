/**
 * Whether a replica may run on a node and how many fit, as the member's kube-scheduler would
 * judge it: node selector, required node affinity, NoSchedule/NoExecute taints against the
 * tolerations, then every requested resource and the pod count.
 */
import type { ResourceVector } from "@spillway/resources";
import { matchesRequirement } from "@spillway/rules";
import type { NodeCapacity, Taint, Toleration, WorkloadRequest } from "./types.ts";

export function tolerates(tolerations: Toleration[], taint: Taint): boolean {
  for (let i = 0; i < tolerations.length; i++) {
    const t = tolerations[i]!;
    if (t.effect && t.effect !== taint.effect) continue;
    if (t.operator === "Exists" ? !t.key || t.key === taint.key : t.key === taint.key && (t.value ?? "") === taint.value) return true;
  }
  return false;
}

/** Taints that repel: NoSchedule and NoExecute (PreferNoSchedule only lowers a score). */
export function repels(taints: Taint[], tolerations: Toleration[]): boolean {
  for (let i = 0; i < taints.length; i++) {
    const t = taints[i]!;
    if ((t.effect === "NoSchedule" || t.effect === "NoExecute") && !tolerates(tolerations, t)) return true;
  }
  return false;
}

/**
 * First fit asks this for every candidate node of every workload, hundreds of thousands of times a
 * pass: indexed loops here and in what it calls, no closures or iterators, which were two thirds of
 * a pass's garbage.
 */
export function nodeEligible(w: WorkloadRequest, node: NodeCapacity): boolean {
  let selector = selectors.get(w);
  if (!selector) selectors.set(w, (selector = Object.entries(w.nodeSelector)));
  for (let i = 0; i < selector.length; i++) if (node.labels[selector[i]![0]] !== selector[i]![1]) return false;
  if (w.nodeAffinity.length > 0 && !matchesAnyTerm(node.labels, w.nodeAffinity)) return false;
  return node.taints.length === 0 || !repels(node.taints, w.tolerations);
}

/** Required node affinity: the terms are ORed, the requirements of a term ANDed. */
function matchesAnyTerm(labels: Record<string, string>, terms: WorkloadRequest["nodeAffinity"]): boolean {
  for (let i = 0; i < terms.length; i++) {
    const term = terms[i]!;
    let all = true;
    for (let j = 0; all && j < term.length; j++) all = matchesRequirement(labels, term[j]!);
    if (all) return true;
  }
  return false;
}

/** A workload's node selector as pairs, read once: first fit asks for every candidate node. */
const selectors = new WeakMap<WorkloadRequest, Array<[string, string]>>();

/**
 * Workloads with the same key are eligible on the same nodes of any member: their node selector,
 * node affinity and tolerations, read once per workload.
 */
export function eligibilityKey(w: WorkloadRequest): string {
  let key = eligibilityKeys.get(w);
  if (key === undefined) eligibilityKeys.set(w, (key = JSON.stringify([w.nodeSelector, w.nodeAffinity, w.tolerations])));
  return key;
}
const eligibilityKeys = new WeakMap<WorkloadRequest, string>();

/** How many replicas needing `per` fit into `free` (with `freePods` pod slots). */
export function fitCount(free: ResourceVector, freePods: number, per: ResourceVector): number {
  let n = freePods;
  for (const r in per) {
    const need = per[r]!;
    if (need <= 0) continue;
    n = Math.min(n, Math.floor((free[r] ?? 0) / need));
    if (n <= 0) return 0;
  }
  return Math.max(0, n);
}
