/**
 * Whether a replica may run on a node and how many fit, as the member's kube-scheduler would
 * judge it: node selector, required node affinity, NoSchedule/NoExecute taints against the
 * tolerations, then every requested resource and the pod count.
 */
import type { ResourceVector } from "@spillway/resources";
import { matchesRequirement } from "@spillway/rules";
import type { NodeCapacity, Taint, Toleration, WorkloadRequest } from "./types.ts";

export function tolerates(tolerations: Toleration[], taint: Taint): boolean {
  return tolerations.some(
    (t) =>
      (!t.effect || t.effect === taint.effect) &&
      (t.operator === "Exists" ? !t.key || t.key === taint.key : t.key === taint.key && (t.value ?? "") === taint.value),
  );
}

/** Taints that repel: NoSchedule and NoExecute (PreferNoSchedule only lowers a score). */
export const repels = (taints: Taint[], tolerations: Toleration[]) =>
  taints.some((t) => (t.effect === "NoSchedule" || t.effect === "NoExecute") && !tolerates(tolerations, t));

export function nodeEligible(w: WorkloadRequest, node: NodeCapacity): boolean {
  let selector = selectors.get(w);
  if (!selector) selectors.set(w, (selector = Object.entries(w.nodeSelector)));
  for (const [k, v] of selector) if (node.labels[k] !== v) return false;
  if (w.nodeAffinity.length > 0 && !w.nodeAffinity.some((term) => term.every((r) => matchesRequirement(node.labels, r)))) return false;
  return node.taints.length === 0 || !repels(node.taints, w.tolerations);
}

/** A workload's node selector as pairs, read once: first fit asks for every candidate node. */
const selectors = new WeakMap<WorkloadRequest, Array<[string, string]>>();

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
