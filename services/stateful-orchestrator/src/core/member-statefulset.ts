/**
 * The apps/v1 StatefulSet the orchestrator keeps in a member for a FederatedStatefulSet: the
 * federated spec with the member's ordinal range (`ordinals.start`, `replicas`) and partition, the
 * overrides that select the member applied (the same rule as fleet-root's), labels marking it and
 * its pods as managed, and the annotations pointing back. Plus the headless Service named by
 * `serviceName`, made only where the member has none.
 */
import type { FederatedStatefulSetSpec } from "@spillway/api";
import { memberTemplate, templateHash, type MemberInfo } from "@spillway/rules";
import type { Range } from "./ordinal-steps.ts";

export const MANAGED_BY = "spillway.dev/managed-by";
export const MANAGER = "stateful-orchestrator";
export const OWNER_ANNOTATION = "spillway.dev/federated-statefulset";
export const TEMPLATE_HASH = "spillway.dev/template-hash";

export interface MemberObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; labels: Record<string, string>; annotations: Record<string, string> };
  spec: Record<string, unknown>;
}

export interface StatefulSetObject extends MemberObject {
  spec: Record<string, unknown> & { replicas: number; ordinals: { start: number }; template: Record<string, unknown> };
}

export interface Workload {
  namespace: string;
  name: string;
  spec: FederatedStatefulSetSpec;
}

const managed = (w: Workload) => ({
  labels: { [MANAGED_BY]: MANAGER, [OWNER_ANNOTATION]: w.name },
  annotations: { [OWNER_ANNOTATION]: `${w.namespace}/${w.name}` },
});

/** The member's pod template, its pods labelled so the orchestrator's pod watch selects them alone. */
export function memberPodTemplate(w: Workload, member: MemberInfo): Record<string, unknown> {
  const t = memberTemplate(w.spec, member) as {
    metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  } & Record<string, unknown>;
  const m = managed(w);
  t.metadata = {
    ...t.metadata,
    labels: { ...t.metadata?.labels, ...m.labels },
    annotations: { ...t.metadata?.annotations, ...m.annotations },
  };
  return t;
}

export function memberStatefulSet(w: Workload, member: MemberInfo, range: Range, partition: number | undefined): StatefulSetObject {
  const template = memberPodTemplate(w, member);
  const m = managed(w);
  const s = w.spec;
  const onDelete = s.updateStrategy?.type === "OnDelete";
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: {
      name: w.name,
      namespace: w.namespace,
      labels: m.labels,
      annotations: { ...m.annotations, [TEMPLATE_HASH]: templateHash(template) },
    },
    spec: {
      replicas: range.count,
      ordinals: { start: range.start },
      selector: s.selector,
      serviceName: s.serviceName ?? w.name,
      podManagementPolicy: s.podManagementPolicy ?? "OrderedReady",
      updateStrategy: onDelete
        ? { type: "OnDelete" }
        : // Members update one pod at a time: maxUnavailable on a StatefulSet is an alpha field in
          // Kubernetes 1.34 (dropped where its gate is off); fleet-wide it budgets moves instead.
          { type: "RollingUpdate", rollingUpdate: { partition: partition ?? 0 } },
      template,
      ...(s.volumeClaimTemplates?.length ? { volumeClaimTemplates: s.volumeClaimTemplates } : {}),
      minReadySeconds: s.minReadySeconds ?? 0,
      revisionHistoryLimit: s.revisionHistoryLimit ?? 10,
      persistentVolumeClaimRetentionPolicy: {
        whenDeleted: s.persistentVolumeClaimRetentionPolicy?.whenDeleted ?? "Retain",
        whenScaled: s.persistentVolumeClaimRetentionPolicy?.whenScaled ?? "Retain",
      },
    },
  };
}

/** The headless Service that gives the member's pods their stable DNS names. */
export function headlessService(w: Workload): MemberObject {
  const selector = w.spec.selector.matchLabels ?? {};
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: w.spec.serviceName ?? w.name, namespace: w.namespace, ...managed(w) },
    spec: { clusterIP: "None", selector, publishNotReadyAddresses: true },
  };
}
