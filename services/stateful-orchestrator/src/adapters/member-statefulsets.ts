/**
 * The orchestrator's watches in the members: the StatefulSets it manages and their pods
 * (label-selected, so a member's other objects cost nothing), the volume claims (all of them: a
 * claim carries only what its StatefulSet's templates gave it, which cannot change once made), a
 * pod and a claim as the core reads them, and who it writes as. The writes are the shell's (`ApiMemberWriter`), the same for every member workload.
 */
import { AppsV1Api, CoreV1Api, type V1PersistentVolumeClaim, type V1Pod, type V1StatefulSet } from "@kubernetes/client-node";
import { MemberInformers, type MemberClients } from "@spillway/kit";
import type { Manager } from "@spillway/member-workload";
import { claimOrdinal, type LiveClaim, type LivePod } from "../core/member-view.ts";
import { MANAGED_BY, MANAGER } from "../core/member-statefulset.ts";

export const MANAGED: Manager = { label: MANAGED_BY, value: MANAGER, fieldManager: "spillway-stateful-orchestrator" };
const SELECTOR = `${MANAGED_BY}=${MANAGER}`;

export function memberStatefulSetInformers(clients: MemberClients, onError: (cluster: string, err: unknown, retryInMs: number) => void) {
  return new MemberInformers<V1StatefulSet>(
    clients,
    {
      path: "/apis/apps/v1/statefulsets",
      labelSelector: SELECTOR,
      list: (kc, selector) => kc.makeApiClient(AppsV1Api).listStatefulSetForAllNamespaces({ labelSelector: selector }),
    },
    onError,
  );
}

export function memberPodInformers(clients: MemberClients, onError: (cluster: string, err: unknown, retryInMs: number) => void) {
  return new MemberInformers<V1Pod>(
    clients,
    {
      path: "/api/v1/pods",
      labelSelector: SELECTOR,
      list: (kc, selector) => kc.makeApiClient(CoreV1Api).listPodForAllNamespaces({ labelSelector: selector }),
    },
    onError,
  );
}

export function memberClaimInformers(clients: MemberClients, onError: (cluster: string, err: unknown, retryInMs: number) => void) {
  return new MemberInformers<V1PersistentVolumeClaim>(
    clients,
    {
      path: "/api/v1/persistentvolumeclaims",
      list: (kc) => kc.makeApiClient(CoreV1Api).listPersistentVolumeClaimForAllNamespaces(),
    },
    onError,
  );
}

/**
 * A member claim as the core reads it, when it is one of the workload's: named
 * `<template>-<name>-<ordinal>` and carrying the selector's labels, which a StatefulSet gives every
 * claim it makes — so a claim someone made by hand under such a name is never taken for ours.
 */
export function liveClaim(
  c: V1PersistentVolumeClaim,
  workloadName: string,
  templates: string[],
  selectorLabels: Record<string, string>,
): LiveClaim | undefined {
  const name = c.metadata?.name ?? "";
  const ordinal = claimOrdinal(name, workloadName, templates);
  if (ordinal === undefined) return undefined;
  if (Object.entries(selectorLabels).some(([k, v]) => c.metadata?.labels?.[k] !== v)) return undefined;
  return {
    ordinal,
    name,
    createdMs: c.metadata?.creationTimestamp ? new Date(c.metadata.creationTimestamp).getTime() : 0,
    terminating: !!c.metadata?.deletionTimestamp,
  };
}

/** A member pod as the orchestrator's core reads it. */
export function livePod(p: V1Pod): LivePod | undefined {
  const index = p.metadata?.labels?.["apps.kubernetes.io/pod-index"] ?? p.metadata?.name?.slice(p.metadata.name.lastIndexOf("-") + 1);
  const ordinal = Number(index);
  if (!Number.isInteger(ordinal) || ordinal < 0) return undefined;
  const ready = p.status?.conditions?.find((c) => c.type === "Ready");
  const scheduled = p.status?.conditions?.find((c) => c.type === "PodScheduled");
  const phase = p.status?.phase ?? "Pending";
  const reason =
    scheduled?.status === "False"
      ? `Pending: ${scheduled.message ?? scheduled.reason ?? "not scheduled"}`
      : ready?.status !== "True"
        ? `${phase}, not Ready${ready?.reason ? ` (${ready.reason})` : ""}`
        : undefined;
  return {
    ordinal,
    ...(p.metadata?.creationTimestamp ? { createdMs: new Date(p.metadata.creationTimestamp).getTime() } : {}),
    ready: ready?.status === "True",
    ...(ready?.lastTransitionTime ? { readySinceMs: new Date(ready.lastTransitionTime).getTime() } : {}),
    terminating: !!p.metadata?.deletionTimestamp,
    ...(p.metadata?.labels?.["controller-revision-hash"] ? { revision: p.metadata.labels["controller-revision-hash"] } : {}),
    ...(reason ? { reason } : {}),
  };
}
