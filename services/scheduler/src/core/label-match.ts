/** Label selectors and node-selector requirements, with Kubernetes semantics. */
import type { LabelSelector, NodeSelectorRequirement } from "./types.ts";

export function matchesSelector(labels: Record<string, string>, selector: LabelSelector | undefined): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  return (selector.matchExpressions ?? []).every((e) => matchesRequirement(labels, e));
}

export function matchesRequirement(labels: Record<string, string>, r: NodeSelectorRequirement): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const v = labels[r.key];
  switch (r.operator) {
    case "In":
      return has && (r.values ?? []).includes(v!);
    case "NotIn":
      return !has || !(r.values ?? []).includes(v!);
    case "Exists":
      return has;
    case "DoesNotExist":
      return !has;
    case "Gt":
      return has && Number(v) > Number(r.values?.[0]);
    case "Lt":
      return has && Number(v) < Number(r.values?.[0]);
  }
}
