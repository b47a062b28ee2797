/**
 * Fleet-level objects (ADR 0009): the host object behind a fleet-level resource, as the fleet API
 * serves it, and what a write through the fleet API makes of it on the host. Pure.
 *
 * - A **Deployment** is its FederatedDeployment: the spec is the same fields; placement and
 *   overrides, which a Deployment has no field for, ride in the annotations
 *   `spillway.dev/placement` and `spillway.dev/overrides` (JSON of the federated spec's fields);
 *   the status is what one cluster's Deployment controller would write, counted fleet-wide. The
 *   uid the fleet API server gave the Deployment is kept on the FederatedDeployment
 *   (`spillway.dev/fleet-uid`), so the object keeps the identity its creator saw.
 * - A **HorizontalPodAutoscaler** is its FederatedHPA, targeting the federated kind of its target.
 * - **ConfigMaps, Secrets, ServiceAccounts, Services, PersistentVolumeClaims** are the host's own:
 *   served as they are; created there without what the host assigns itself (addresses, ports).
 */
import { isTranslated, type FleetResource } from "@spillway/api";
import { deepEqual } from "@spillway/rules";

export interface KubeJson {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
    deletionTimestamp?: string;
    [field: string]: unknown;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [field: string]: unknown;
}

/** A write the fleet cannot carry out as asked, with what to do instead (the client sees the message). */
export class FleetLevelRefusal extends Error {}

export const fleetUidAnnotation = "spillway.dev/fleet-uid";
export const placementAnnotation = "spillway.dev/placement";
export const overridesAnnotation = "spillway.dev/overrides";
export const ordinalRangesAnnotation = "spillway.dev/ordinal-ranges";
/** A federated workload's fields its native kind has none for, each carried in an annotation (JSON). */
const carried: Array<{ field: string; annotation: string }> = [
  { field: "placement", annotation: placementAnnotation },
  { field: "overrides", annotation: overridesAnnotation },
  { field: "ordinalRanges", annotation: ordinalRangesAnnotation },
];
/**
 * The field ownership the fleet API server records for a translated kind (server-side apply),
 * kept on the federated object: its own managedFields name another kind's fields and managers.
 */
export const fleetManagedFieldsAnnotation = "spillway.dev/fleet-managed-fields";
/** Annotations the view derives: never stored on the host object as annotations. */
const derived = [fleetUidAnnotation, fleetManagedFieldsAnnotation, ...carried.map((c) => c.annotation)];

const hpaSpecFields = ["minReplicas", "maxReplicas", "metrics", "behavior"];
/** Conditions an HPA's own controller writes; Spillway's own stay on the federated kind. */
const hpaConditions = ["AbleToScale", "ScalingActive", "ScalingLimited"];

const pick = (o: Record<string, unknown> | undefined, fields: string[]) =>
  Object.fromEntries(fields.filter((f) => o?.[f] !== undefined).map((f) => [f, o![f]]));
const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

type Condition = { type?: string; status?: string; reason?: string; message?: string; lastTransitionTime?: string };

function conditionsOf(status: Record<string, unknown> | undefined, types: string[], withUpdateTime: boolean) {
  const all = (status?.conditions as Condition[] | undefined) ?? [];
  const kept = all
    .filter((c) => c.type && types.includes(c.type))
    .map((c) =>
      defined({
        type: c.type,
        status: c.status,
        ...(withUpdateTime ? { lastUpdateTime: c.lastTransitionTime } : {}),
        lastTransitionTime: c.lastTransitionTime,
        reason: c.reason,
        message: c.message,
      }),
    );
  return kept.length ? kept : undefined;
}

/** A native workload kind and its federated kind: the spec fields they share, the status one cluster's controller writes. */
interface Workload {
  kind: string;
  specFields: string[];
  status(s: Record<string, unknown> | undefined): Record<string, unknown>;
}

const workloads: Record<string, Workload> = {
  FederatedDeployment: {
    kind: "Deployment",
    specFields: [
      "replicas",
      "selector",
      "template",
      "strategy",
      "minReadySeconds",
      "revisionHistoryLimit",
      "progressDeadlineSeconds",
      "paused",
    ],
    status: (s) =>
      defined({
        observedGeneration: s?.observedGeneration,
        replicas: s?.replicas,
        updatedReplicas: s?.updatedReplicas,
        readyReplicas: s?.readyReplicas,
        availableReplicas: s?.availableReplicas,
        unavailableReplicas: s?.unavailableReplicas,
        conditions: conditionsOf(s, ["Available", "Progressing", "ReplicaFailure"], true),
      }),
  },
  FederatedStatefulSet: {
    kind: "StatefulSet",
    specFields: [
      "replicas",
      "selector",
      "template",
      "serviceName",
      "podManagementPolicy",
      "updateStrategy",
      "volumeClaimTemplates",
      "minReadySeconds",
      "revisionHistoryLimit",
      "ordinals",
      "persistentVolumeClaimRetentionPolicy",
    ],
    status: (s) =>
      defined({
        observedGeneration: s?.observedGeneration,
        replicas: s?.replicas ?? 0,
        readyReplicas: s?.readyReplicas,
        currentReplicas: s?.currentReplicas,
        updatedReplicas: s?.updatedReplicas,
        availableReplicas: s?.availableReplicas,
        currentRevision: s?.currentRevision,
        updateRevision: s?.updateRevision,
      }),
  },
};

/** The uid a translated kind is served with: the one the fleet API server gave it, else the host's. */
export const fleetUid = (host: KubeJson): string | undefined => host.metadata?.annotations?.[fleetUidAnnotation] ?? host.metadata?.uid;

/** The view's metadata: the host object's, with the derived annotations and without its finalizers. */
function viewMetadata(host: KubeJson, extra: Record<string, string>) {
  const { finalizers: _f, managedFields: _m, annotations = {}, ...meta } = host.metadata ?? {};
  const own = Object.fromEntries(Object.entries(annotations).filter(([k]) => !derived.includes(k)));
  const all = { ...own, ...extra };
  const managedFields = parseManagedFields(annotations[fleetManagedFieldsAnnotation]);
  return {
    ...meta,
    uid: fleetUid(host),
    ...(Object.keys(all).length ? { annotations: all } : {}),
    ...(managedFields ? { managedFields } : {}),
  };
}

/** Ownership that cannot be read is dropped, as a fresh object has none: the next apply records it again. */
function parseManagedFields(raw: string | undefined): unknown[] | undefined {
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw) as unknown;
    return Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** What a translated kind keeps on the host beside its spec: its fleet uid and the fleet's field ownership. */
function keptAnnotations(value: KubeJson, fleetUid: string | undefined): Record<string, string> {
  const managed = value.metadata?.managedFields;
  return {
    ...(fleetUid ? { [fleetUidAnnotation]: fleetUid } : {}),
    ...(Array.isArray(managed) && managed.length ? { [fleetManagedFieldsAnnotation]: JSON.stringify(managed) } : {}),
  };
}

/** The host object as the fleet API serves it (its native kind). */
export function fleetView(resource: FleetResource, host: KubeJson): KubeJson {
  const kind = isTranslated(resource) ? resource.fleetLevel!.kind : undefined;
  const workload = kind ? workloads[kind] : undefined;
  if (workload) {
    const spec = host.spec ?? {};
    const extra: Record<string, string> = {};
    for (const c of carried) if (spec[c.field] !== undefined) extra[c.annotation] = JSON.stringify(spec[c.field]);
    return {
      apiVersion: "apps/v1",
      kind: workload.kind,
      metadata: viewMetadata(host, extra),
      spec: pick(spec, workload.specFields),
      status: workload.status(host.status),
    };
  }
  if (kind === "FederatedHPA") {
    const spec = host.spec ?? {};
    const ref = (spec.scaleTargetRef ?? {}) as { kind?: string; name?: string };
    const s = host.status;
    return {
      apiVersion: "autoscaling/v2",
      kind: "HorizontalPodAutoscaler",
      metadata: viewMetadata(host, {}),
      spec: {
        scaleTargetRef: { apiVersion: "apps/v1", kind: workloads[ref.kind ?? ""]?.kind ?? ref.kind, name: ref.name },
        ...pick(spec, hpaSpecFields),
      },
      status: defined({
        observedGeneration: s?.observedGeneration,
        lastScaleTime: s?.lastScaleTime,
        currentReplicas: s?.currentReplicas ?? 0,
        desiredReplicas: s?.desiredReplicas ?? 0,
        currentMetrics: s?.currentMetrics,
        conditions: conditionsOf(s, hpaConditions, false),
      }),
    };
  }
  return host;
}

function parseAnnotation(annotations: Record<string, string>, key: string, what: string): unknown {
  const raw = annotations[key];
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    throw new FleetLevelRefusal(
      `annotation ${key} must be JSON of the ${what} (as in a FederatedDeployment's spec), got ${JSON.stringify(raw.slice(0, 80))}`,
    );
  }
}

/** The host object's metadata from the written view: labels and annotations; the version to check against. */
function hostMetadata(value: KubeJson, current: KubeJson | undefined, keep: Record<string, string>) {
  const m = value.metadata ?? {};
  const annotations = Object.fromEntries(Object.entries(m.annotations ?? {}).filter(([k]) => !derived.includes(k)));
  const all = { ...annotations, ...keep };
  return defined({
    name: m.name,
    namespace: m.namespace,
    labels: m.labels,
    annotations: Object.keys(all).length ? all : undefined,
    ownerReferences: m.ownerReferences,
    resourceVersion: current?.metadata?.resourceVersion,
  });
}

/**
 * What a write through the fleet API makes of the host object: `current` is the host object for
 * an update, undefined for a create. Throws `FleetLevelRefusal` for what cannot hold fleet-wide.
 */
export function hostBody(resource: FleetResource, value: KubeJson, current: KubeJson | undefined): KubeJson {
  const fl = resource.fleetLevel!;
  const apiVersion = fl.group ? `${fl.group}/${fl.version}` : fl.version;
  const fleetUid = current?.metadata?.annotations?.[fleetUidAnnotation] ?? (current ? undefined : value.metadata?.uid);
  const keep = keptAnnotations(value, fleetUid);
  const translated = isTranslated(resource);
  const workload = translated ? workloads[fl.kind] : undefined;
  if (workload) {
    const spec = value.spec ?? {};
    const template = spec.template as { spec?: { nodeName?: string } } | undefined;
    if (template?.spec?.nodeName)
      throw new FleetLevelRefusal(
        `spec.template.spec.nodeName pins every pod to node ${JSON.stringify(template.spec.nodeName)}, which is in one member at most: ` +
          "remove it (use a nodeSelector or affinity, which hold in every member)",
      );
    const annotations = value.metadata?.annotations ?? {};
    const fromAnnotations = Object.fromEntries(carried.map((c) => [c.field, parseAnnotation(annotations, c.annotation, c.field)]));
    return {
      apiVersion,
      kind: fl.kind,
      metadata: hostMetadata(value, current, keep),
      spec: defined({ ...pick(spec, workload.specFields), ...fromAnnotations }),
    };
  }
  if (translated && fl.kind === "FederatedHPA") {
    const spec = value.spec ?? {};
    const ref = (spec.scaleTargetRef ?? {}) as { apiVersion?: string; kind?: string; name?: string };
    const target = Object.keys(workloads).find((federated) => workloads[federated]!.kind === ref.kind);
    if (!target || (ref.apiVersion && ref.apiVersion !== "apps/v1"))
      throw new FleetLevelRefusal(
        `scaleTargetRef ${ref.apiVersion ?? ""}/${ref.kind ?? ""} cannot be autoscaled fleet-wide: the fleet autoscales Deployments and StatefulSets (apps/v1)`,
      );
    return {
      apiVersion,
      kind: fl.kind,
      metadata: hostMetadata(value, current, keep),
      spec: { scaleTargetRef: { apiVersion: "spillway.dev/v1alpha1", kind: target, name: ref.name }, ...pick(spec, hpaSpecFields) },
    };
  }
  // The host's own kind: the object as written, less what the host assigns on create.
  const { uid: _u, resourceVersion: _r, creationTimestamp: _c, generation: _g, ...meta } = value.metadata ?? {};
  const body: KubeJson = {
    ...value,
    metadata: { ...meta, ...(current ? { resourceVersion: current.metadata?.resourceVersion, uid: current.metadata?.uid } : {}) },
  };
  if (fl.kind === "Service" && !current) {
    const { clusterIP, clusterIPs: _ips, ipFamilies: _f, healthCheckNodePort: _h, ports, ...spec } = value.spec ?? {};
    const hostPorts = (ports as Array<Record<string, unknown>> | undefined)?.map(({ nodePort: _n, ...p }) => p);
    body.spec = { ...spec, ...(clusterIP === "None" ? { clusterIP } : {}), ...(hostPorts ? { ports: hostPorts } : {}) };
  }
  return body;
}

/** Whether a host write changes anything the host keeps (a write of the same content is not sent). */
export function sameOnHost(body: KubeJson, current: KubeJson): boolean {
  // apiVersion and kind are the resource's (a listed object comes without them).
  const strip = (o: KubeJson) => {
    const { status: _s, apiVersion: _a, kind: _k, metadata = {}, ...rest } = o;
    const { resourceVersion: _r, managedFields: _m, creationTimestamp: _c, generation: _g, uid: _u, ...meta } = metadata;
    return { ...rest, metadata: meta };
  };
  return deepEqual(strip(body), strip(current));
}
