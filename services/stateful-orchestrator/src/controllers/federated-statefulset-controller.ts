/**
 * FederatedStatefulSets (leader only): the binding of the kind to the orchestrator's core on the
 * member-workload shell. The shell observes every member that may hold an ordinal, carries out the
 * writes and writes the status; `core/orchestration.ts` decides the ranges, the one pod per
 * ordinal and the descending rollout. Deletion removes the member StatefulSets (their claims
 * follow `persistentVolumeClaimRetentionPolicy`) and the headless Services the orchestrator made.
 */
import type { V1PersistentVolumeClaim, V1Pod, V1StatefulSet } from "@kubernetes/client-node";
import type { FederatedStatefulSet, Placement } from "@spillway/api";
import type { MemberObjects } from "@spillway/kit";
import {
  memberWorkloadController,
  memberWorkloadReconciler,
  workloadFacts,
  type MemberWorkloadDeps,
  type MemberWorkloadKind,
} from "@spillway/member-workload";
import { liveClaim, livePod } from "../adapters/member-statefulsets.ts";
import { claimOrdinal } from "../core/member-view.ts";
import { OWNER_ANNOTATION } from "../core/member-statefulset.ts";
import { decideOrchestration, type MemberView, type OrchestrationDecision } from "../core/orchestration.ts";
import type { Range } from "../core/ordinal-steps.ts";

export const FINALIZER = "spillway.dev/stateful-orchestrator";

export interface Deps extends Omit<MemberWorkloadDeps<FederatedStatefulSet>, "objects" | "related"> {
  statefulSets: MemberObjects<V1StatefulSet>;
  pods: MemberObjects<V1Pod>;
  /** Every volume claim in the members: a moved or stale ordinal's claim is deleted before it starts elsewhere. */
  claims: MemberObjects<V1PersistentVolumeClaim>;
}

const claimTemplates = (s: FederatedStatefulSet) => (s.spec.volumeClaimTemplates ?? []).map((t) => t.metadata?.name ?? "");

/** The Placement's ordinal ranges; undefined before the scheduler placed the workload. */
const rangesOf = (placement: Placement | undefined) =>
  placement?.spec.clusters
    .filter((c) => c.ordinalStart !== undefined && c.replicas > 0)
    .map((c) => ({ cluster: c.name, start: c.ordinalStart!, count: c.replicas }));

function kind(deps: Deps): MemberWorkloadKind<FederatedStatefulSet, FederatedStatefulSet["status"], MemberView, OrchestrationDecision> {
  /** Ranges this process wrote that the watch may not show yet, by member/namespace/name: they count as held. */
  const written = new Map<string, { generation: number; range: Range }>();
  return {
    controller: "federated-statefulset",
    kind: "FederatedStatefulSet",
    memberKind: { apiVersion: "apps/v1", kind: "StatefulSet" },
    finalizer: FINALIZER,
    ownerAnnotation: OWNER_ANNOTATION,
    heldBefore: (s) => (s.status?.ordinalRanges ?? []).map((r) => r.cluster),
    companions: (s) => [
      { apiVersion: "v1", kind: "Service", namespace: s.metadata.namespace!, name: s.spec.serviceName ?? s.metadata.name! },
    ],
    view: (s, sight) => {
      const ns = s.metadata.namespace!;
      const name = s.metadata.name!;
      const key = `${sight.name}/${ns}/${name}`;
      const sts = deps.statefulSets.cache(sight.name)?.get(name, ns);
      const w = written.get(key);
      if (w && (sts?.metadata?.generation ?? 0) >= w.generation) written.delete(key);
      const stillWritten = written.get(key);
      return {
        ...sight,
        statefulSet: sts,
        ...(stillWritten ? { written: stillWritten.range } : {}),
        pods: (deps.pods.cache(sight.name)?.list(ns) ?? [])
          .filter((p) => p.metadata?.labels?.[OWNER_ANNOTATION] === name)
          .map(livePod)
          .filter((p) => p !== undefined),
        claims: (deps.claims.cache(sight.name)?.list(ns) ?? [])
          .map((c) => liveClaim(c, name, claimTemplates(s), s.spec.selector.matchLabels ?? {}))
          .filter((c) => c !== undefined),
      };
    },
    decide: (s, o, nowMs) =>
      decideOrchestration({
        fsts: workloadFacts(s),
        placement: rangesOf(o.placement),
        members: o.members,
        nowMs,
      }),
    applied: (s, w, generation) => {
      const spec = w.object.spec;
      written.set(`${w.cluster}/${s.metadata.namespace}/${s.metadata.name}`, {
        generation,
        range: { start: spec.ordinals?.start ?? 0, count: spec.replicas },
      });
    },
    requeueMs: { retrySoon: 200, progressing: 1_000 },
    concurrency: 16,
  };
}

/** The workloads a member claim belongs to, by its name (`<template>-<name>-<ordinal>`). */
const claimOwners = (deps: Deps) => (c: { metadata?: { name?: string; namespace?: string } }) =>
  deps.cache
    .list(c.metadata?.namespace)
    .filter((s) => claimOrdinal(c.metadata?.name ?? "", s.metadata.name!, claimTemplates(s)) !== undefined)
    .map((s) => `${s.metadata.namespace}/${s.metadata.name}`);

const shellDeps = (deps: Deps): MemberWorkloadDeps<FederatedStatefulSet> => ({
  ...deps,
  objects: deps.statefulSets,
  related: [deps.pods],
  relatedBy: [{ objects: deps.claims, owners: claimOwners(deps) }],
});

/** The reconcile function alone, for unit tests that drive it key by key. */
export const federatedStatefulSetReconciler = (deps: Deps) => memberWorkloadReconciler(kind(deps), shellDeps(deps));

export const federatedStatefulSetController = (deps: Deps) => memberWorkloadController(kind(deps), shellDeps(deps));
