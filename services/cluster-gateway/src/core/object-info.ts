/**
 * Reduces Node and Pod objects from a member's API to the few fields the snapshot needs. Pure;
 * the shapes are structural so any JSON (informer cache or test data) fits. A malformed quantity
 * makes the object count as requesting nothing rather than crash the gateway; the caller logs it.
 */
import { fromResourceList, podRequests, type PodSpecLike } from "@spillway/resources";
import { BARE_POD, type NodeInfo, type PodInfo, type Taint } from "./snapshot-builder.ts";

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  lastTransitionTime?: string | Date;
}

export interface NodeLike {
  metadata?: { name?: string; labels?: Record<string, string> };
  spec?: { unschedulable?: boolean; taints?: Array<{ key?: string; value?: string; effect?: string }> };
  status?: { allocatable?: Record<string, string>; conditions?: Condition[] };
}

export interface PodLike {
  metadata?: {
    uid?: string;
    namespace?: string;
    name?: string;
    ownerReferences?: Array<{ kind?: string; name?: string; controller?: boolean }>;
  };
  spec?: PodSpecLike & { nodeName?: string };
  status?: { phase?: string; conditions?: Condition[] };
}

export function nodeInfo(node: NodeLike): NodeInfo {
  const taints: Taint[] = (node.spec?.taints ?? []).map((t) => ({ key: t.key ?? "", value: t.value ?? "", effect: t.effect ?? "" }));
  return {
    name: node.metadata?.name ?? "",
    labels: node.metadata?.labels ?? {},
    taints,
    allocatable: fromResourceList(node.status?.allocatable),
    ready: (node.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"),
    // The node lifecycle controller taints NotReady/unreachable nodes NoSchedule; a cordon sets
    // spec.unschedulable. Either way the kube-scheduler places nothing there.
    unschedulable:
      node.spec?.unschedulable === true ||
      taints.some(
        (t) => (t.key === "node.kubernetes.io/not-ready" || t.key === "node.kubernetes.io/unreachable") && t.effect === "NoSchedule",
      ),
  };
}

export function podInfo(pod: PodLike): PodInfo {
  const owner = pod.metadata?.ownerReferences?.find((r) => r.controller) ?? pod.metadata?.ownerReferences?.[0];
  const scheduled = (pod.status?.conditions ?? []).find((c) => c.type === "PodScheduled");
  const unschedulable = scheduled?.status === "False" && scheduled.reason === "Unschedulable";
  const phase = pod.status?.phase;
  return {
    uid: pod.metadata?.uid ?? `${pod.metadata?.namespace}/${pod.metadata?.name}`,
    namespace: pod.metadata?.namespace ?? "",
    nodeName: pod.spec?.nodeName || undefined,
    requests: podRequests(pod.spec ?? {}),
    terminated: phase === "Succeeded" || phase === "Failed",
    unschedulableSinceMs: unschedulable ? toMs(scheduled.lastTransitionTime) : undefined,
    ownerKind: owner?.kind ?? BARE_POD,
    ownerName: owner?.name ?? pod.metadata?.name ?? "",
  };
}

function toMs(t: string | Date | undefined): number {
  if (t instanceof Date) return t.getTime();
  const ms = t ? Date.parse(t) : NaN;
  return Number.isNaN(ms) ? 0 : ms;
}
