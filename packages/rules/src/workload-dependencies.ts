/**
 * What a workload's pods need from their namespace, read from its pod template the way the
 * kubelet reads it: the ConfigMaps and Secrets its volumes, projected volumes, `env` and `envFrom`
 * name, its image pull secrets, its ServiceAccount (and that account's image pull secrets), the
 * PersistentVolumeClaims its volumes name; and the Services that select its pods. These are the
 * objects Spillway copies from the host to every member that runs the workload (ADR 0009).
 */
import { matchesSelector } from "./label-selector.ts";

export type DependencyKind = "ConfigMap" | "Secret" | "ServiceAccount" | "PersistentVolumeClaim" | "Service";

/** A namespaced object a workload depends on (its namespace is the workload's). */
export interface DependencyRef {
  kind: DependencyKind;
  name: string;
}

/** Every kind that follows workloads, with where the API keeps it. */
export const dependencyKinds: Readonly<Record<DependencyKind, { plural: string; apiVersion: "v1" }>> = {
  ConfigMap: { plural: "configmaps", apiVersion: "v1" },
  Secret: { plural: "secrets", apiVersion: "v1" },
  ServiceAccount: { plural: "serviceaccounts", apiVersion: "v1" },
  PersistentVolumeClaim: { plural: "persistentvolumeclaims", apiVersion: "v1" },
  Service: { plural: "services", apiVersion: "v1" },
};

/**
 * Each member's control plane makes a `default` ServiceAccount in every namespace: it is the
 * member's own, never copied (a workload naming it needs nothing from the host).
 */
export const memberOwnServiceAccount = "default";

/** Every kind that follows workloads, in one list. */
export const dependencyKindNames = Object.keys(dependencyKinds) as DependencyKind[];

export const dependencyKey = (r: DependencyRef) => `${r.kind}/${r.name}`;

/** The parts of a pod spec that name other objects (the API's field names; all optional). */
interface Container {
  env?: Array<{ valueFrom?: { configMapKeyRef?: { name?: string }; secretKeyRef?: { name?: string } } }>;
  envFrom?: Array<{ configMapRef?: { name?: string }; secretRef?: { name?: string } }>;
}
interface Projection {
  configMap?: { name?: string };
  secret?: { name?: string };
}
export interface PodSpecRefs {
  containers?: Container[];
  initContainers?: Container[];
  ephemeralContainers?: Container[];
  volumes?: Array<{
    configMap?: { name?: string };
    secret?: { secretName?: string };
    projected?: { sources?: Projection[] };
    persistentVolumeClaim?: { claimName?: string };
  }>;
  imagePullSecrets?: Array<{ name?: string }>;
  serviceAccountName?: string;
  serviceAccount?: string;
}

/** The objects a pod template names, each once, in a stable order. */
export function templateDependencies(spec: PodSpecRefs | undefined): DependencyRef[] {
  const out = new Map<string, DependencyRef>();
  const add = (kind: DependencyKind, name: string | undefined) => {
    if (name) out.set(dependencyKey({ kind, name }), { kind, name });
  };
  for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? []), ...(spec?.ephemeralContainers ?? [])]) {
    for (const e of c.env ?? []) {
      add("ConfigMap", e.valueFrom?.configMapKeyRef?.name);
      add("Secret", e.valueFrom?.secretKeyRef?.name);
    }
    for (const e of c.envFrom ?? []) {
      add("ConfigMap", e.configMapRef?.name);
      add("Secret", e.secretRef?.name);
    }
  }
  for (const v of spec?.volumes ?? []) {
    add("ConfigMap", v.configMap?.name);
    add("Secret", v.secret?.secretName);
    for (const p of v.projected?.sources ?? []) {
      add("ConfigMap", p.configMap?.name);
      add("Secret", p.secret?.name);
    }
    add("PersistentVolumeClaim", v.persistentVolumeClaim?.claimName);
  }
  for (const s of spec?.imagePullSecrets ?? []) add("Secret", s.name);
  // `serviceAccount` is the deprecated spelling the API still honours when the other is unset.
  const account = spec?.serviceAccountName || spec?.serviceAccount;
  if (account && account !== memberOwnServiceAccount) add("ServiceAccount", account);
  return [...out.values()].sort(byKey);
}

/** The Secrets a ServiceAccount lends its pods: its image pull secrets (the kubelet pulls with them). */
export function serviceAccountDependencies(account: { [field: string]: unknown } | undefined): DependencyRef[] {
  const secrets = (account?.imagePullSecrets ?? []) as Array<{ name?: string }>;
  return secrets.filter((s) => !!s.name).map((s) => ({ kind: "Secret" as const, name: s.name! }));
}

/**
 * The Services that select the workload's pods (by the template's labels), as Kubernetes' endpoint
 * controller would: a Service with no selector selects nothing (its endpoints are someone's own).
 */
export function selectingServices(
  services: ReadonlyArray<{ metadata?: { name?: string }; spec?: unknown }>,
  podLabels: Record<string, string> | undefined,
): DependencyRef[] {
  const selectorOf = (s: { spec?: unknown }) => (s.spec as { selector?: Record<string, string> } | undefined)?.selector;
  return services
    .filter((s) => s.metadata?.name && Object.keys(selectorOf(s) ?? {}).length > 0)
    .filter((s) => matchesSelector(podLabels ?? {}, { matchLabels: selectorOf(s)! }))
    .map((s) => ({ kind: "Service" as const, name: s.metadata!.name! }))
    .sort(byKey);
}

const byKey = (a: DependencyRef, b: DependencyRef) =>
  dependencyKey(a) < dependencyKey(b) ? -1 : dependencyKey(a) > dependencyKey(b) ? 1 : 0;
