/**
 * The fleet API's contract between cluster-gateway (which stores these resources) and the fleet
 * kube-apiserver (whose `--etcd-servers-overrides` sends them there): the one table of where each
 * resource's objects come from (ADR 0008, ADR 0009):
 * - **member-level** (pods, nodes, events, ReplicaSets…): merged from every member, each object
 *   labelled with its member; never created through the fleet API;
 * - **fleet-level** (`fleetLevel` set): the host's object is the fleet's one object — a native
 *   workload is its federated kind on the host (a Deployment is a FederatedDeployment), a
 *   ConfigMap is the host's ConfigMap, which follows its workloads into members. Creates,
 *   updates and deletes go to the host; members' copies made by Spillway are not shown again,
 *   while objects that exist only in a member still are (`fromMembers`), with their member label;
 * - **refused** kinds (`refuse` set): what the fleet cannot run fleet-wide; a create is refused
 *   with what to do instead, members' own objects are shown as member-level ones;
 * - **the host's own kinds** the fleet API needs to be one API of the federation (namespaces,
 *   `spillway.dev`'s CustomResourceDefinitions and objects), read from the host's API — so the
 *   fleet API needs no access to the host's etcd (ADR 0008) — and written there where the fleet
 *   may write them (`readOnly` says where to change the others).
 * Also: where kube-apiserver keeps each in storage (its key prefix, not always the plural) and
 * the version it stores.
 */

export interface FleetResource {
  group: string;
  version: string;
  /** The REST plural, as `--etcd-servers-overrides` names it (`group/resource`). */
  resource: string;
  kind: string;
  /** kube-apiserver's storage key prefix under `/registry/`. */
  storagePrefix: string;
  namespaced: boolean;
  /** Whether status is written through a `status` subresource. */
  statusSubresource: boolean;
  /** What to create instead, for member-level kinds Spillway federates. */
  createInstead?: string;
  /** The host kind whose objects are this resource's fleet-level objects (itself, or the federated kind). */
  fleetLevel?: HostKind;
  /** False: members' objects of this kind are never shown (their Secrets and ServiceAccounts are theirs alone). */
  fromMembers?: boolean;
  /** Why a create is refused, and what to do instead, for kinds the fleet does not run. */
  refuse?: string;
  /** Fleet-level objects the fleet API serves but does not write: where to change them instead. */
  readOnly?: string;
  /** Only the host's objects whose `spec.group` is one of these are served (CustomResourceDefinitions). */
  servedGroups?: readonly string[];
}

/** A kind on the host, as its REST path names it. */
export interface HostKind {
  group: string;
  version: string;
  resource: string;
  kind: string;
}

/** A built-in resource as kube-apiserver stores it: v1, namespaced, keyed by its plural, with status. */
const builtin = (group: string, resource: string, kind: string, extra: Partial<FleetResource> = {}): FleetResource => ({
  group,
  version: "v1",
  resource,
  kind,
  storagePrefix: resource,
  namespaced: true,
  statusSubresource: true,
  ...extra,
});

const federated = (kind: string) => ({ createInstead: `a ${kind} (spillway.dev/v1alpha1)` });
/** The host's own objects of the same kind are the fleet's. */
const onHost = (group: string, resource: string, kind: string, version = "v1"): Pick<FleetResource, "fleetLevel"> => ({
  fleetLevel: { group, version, resource, kind },
});
const spillway = (resource: string, kind: string) => onHost("spillway.dev", resource, kind, "v1alpha1");
const refused = (why: string) => ({ refuse: why });
/** A host kind the fleet serves as it is, and members' objects of it never. */
const hostOwn = (group: string, version: string, resource: string, kind: string, extra: Partial<FleetResource> = {}): FleetResource =>
  builtin(group, resource, kind, {
    version,
    fromMembers: false,
    // CustomResourceDefinitions' and custom resources' keys carry their group.
    storagePrefix: group ? `${group}/${resource}` : resource,
    ...onHost(group, resource, kind, version),
    ...extra,
  });
const registeredOnTheHost = "MemberClusters are registered on the host (kubectl spillway join), not through the fleet API";

export const fleetResources: readonly FleetResource[] = [
  builtin(
    "",
    "pods",
    "Pod",
    refused(
      "a bare Pod has no fleet-wide meaning (nothing would replace it); create a Deployment or StatefulSet through the fleet, " +
        "or the Pod in its member cluster (a chart's test hook Pod, helm.sh/hook: test, is the exception: it runs in the member running the release)",
    ),
  ),
  builtin("", "nodes", "Node", { storagePrefix: "minions", namespaced: false }),
  builtin("", "events", "Event", { statusSubresource: false }),
  builtin("", "services", "Service", { storagePrefix: "services/specs", ...onHost("", "services", "Service") }),
  builtin("", "persistentvolumeclaims", "PersistentVolumeClaim", onHost("", "persistentvolumeclaims", "PersistentVolumeClaim")),
  builtin("", "configmaps", "ConfigMap", { statusSubresource: false, ...onHost("", "configmaps", "ConfigMap") }),
  builtin("", "secrets", "Secret", { statusSubresource: false, fromMembers: false, ...onHost("", "secrets", "Secret") }),
  builtin("", "serviceaccounts", "ServiceAccount", {
    statusSubresource: false,
    fromMembers: false,
    ...onHost("", "serviceaccounts", "ServiceAccount"),
  }),
  builtin("discovery.k8s.io", "endpointslices", "EndpointSlice", { statusSubresource: false }),
  builtin("apps", "deployments", "Deployment", spillway("federateddeployments", "FederatedDeployment")),
  builtin("apps", "replicasets", "ReplicaSet", federated("FederatedDeployment")),
  builtin("apps", "statefulsets", "StatefulSet", spillway("federatedstatefulsets", "FederatedStatefulSet")),
  builtin("autoscaling", "horizontalpodautoscalers", "HorizontalPodAutoscaler", {
    version: "v2",
    ...spillway("federatedhpas", "FederatedHPA"),
  }),
  builtin(
    "apps",
    "daemonsets",
    "DaemonSet",
    refused("a DaemonSet runs on every node of one cluster; create it in each member that needs it"),
  ),
  builtin("batch", "jobs", "Job", refused("Jobs are not federated; create the Job in the member cluster it should run in")),
  builtin("batch", "cronjobs", "CronJob", refused("CronJobs are not federated; create the CronJob in the member cluster it should run in")),
  // The host's namespaces are the fleet's (a namespace made through the fleet is made on the host).
  hostOwn("", "v1", "namespaces", "Namespace", { namespaced: false }),
  hostOwn("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", {
    namespaced: false,
    servedGroups: ["spillway.dev"],
    readOnly: "CustomResourceDefinitions are installed on the host (the chart installs Spillway's)",
  }),
  hostOwn("spillway.dev", "v1alpha1", "federateddeployments", "FederatedDeployment"),
  hostOwn("spillway.dev", "v1alpha1", "federatedstatefulsets", "FederatedStatefulSet"),
  hostOwn("spillway.dev", "v1alpha1", "federatedhpas", "FederatedHPA"),
  hostOwn("spillway.dev", "v1alpha1", "memberclusters", "MemberCluster", { namespaced: false, readOnly: registeredOnTheHost }),
  hostOwn("spillway.dev", "v1alpha1", "placements", "Placement", {
    readOnly: "Placements are the scheduler's decisions, written on the host",
  }),
];

/** The label Spillway puts on what it makes in members: those objects are copies of fleet-level ones. */
export const managedByLabel = "spillway.dev/managed-by";

export const storageRoot = "/registry/";

/** The label on every object the fleet API serves, naming the member it came from (selectable with -l). */
export const clusterLabel = "spillway.dev/cluster";

/** A fleet-level resource served as another kind than the host's (a FederatedDeployment as a Deployment). */
export const isTranslated = (r: FleetResource) => r.fleetLevel !== undefined && r.fleetLevel.kind !== r.kind;

export const apiVersionOf = (r: FleetResource) => (r.group ? `${r.group}/${r.version}` : r.version);

/** The collection path a member is listed and watched at (all namespaces). */
export const collectionPath = (r: FleetResource) => (r.group ? `/apis/${r.group}/${r.version}/${r.resource}` : `/api/v1/${r.resource}`);

/** The path of one object in a member. */
export function objectPath(r: FleetResource, namespace: string | undefined, name: string): string {
  const base = r.group ? `/apis/${r.group}/${r.version}` : "/api/v1";
  const ns = r.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : "";
  return `${base}${ns}/${r.resource}/${encodeURIComponent(name)}`;
}

/** The path an object is created at: its namespace's collection. */
export function createPath(r: FleetResource, namespace: string | undefined): string {
  const object = objectPath(r, namespace, "");
  return object.slice(0, object.lastIndexOf("/"));
}

export function storageKey(r: FleetResource, namespace: string | undefined, name: string): string {
  return r.namespaced ? `${storageRoot}${r.storagePrefix}/${namespace}/${name}` : `${storageRoot}${r.storagePrefix}/${name}`;
}

/** The resource a storage key belongs to (longest prefix first: `services/specs` before any `services`). */
export function resourceOfKey(key: string): FleetResource | undefined {
  let best: FleetResource | undefined;
  for (const r of fleetResources) {
    const p = `${storageRoot}${r.storagePrefix}/`;
    if (key.startsWith(p) && (!best || p.length > best.storagePrefix.length + storageRoot.length + 1)) best = r;
  }
  return best;
}

/**
 * What kube-apiserver writes for itself, as key prefixes under `/registry/`: the fleet API's
 * private state, kept only in the gateway's keyspace (the host's and the members' allocations,
 * priorities and API registrations are theirs). Service IP and node-port ranges and the
 * IPAddresses and ServiceCIDRs its Service IP allocator tracks; the APIServices it registers for
 * the groups it serves (built-in and `spillway.dev`); API priority and fairness' bootstrap
 * configuration; the system PriorityClasses; the API server endpoint and identity leases. Any other kind that is
 * not in `fleetResources` is not kept by the fleet API: writes of it are refused, so nothing written
 * through the fleet API is kept where it would be lost.
 */
export const fleetBookkeepingPrefixes: readonly string[] = [
  "ranges/",
  "ipaddresses/",
  "servicecidrs/",
  "apiregistration.k8s.io/apiservices/",
  "flowschemas/",
  "prioritylevelconfigurations/",
  "priorityclasses/",
  "masterleases/",
  "services/endpoints/",
  "leases/kube-system/",
];

/** Whether `key` is kube-apiserver's own bookkeeping (`fleetBookkeepingPrefixes`). */
export const isBookkeepingKey = (key: string) => fleetBookkeepingPrefixes.some((p) => key.startsWith(`${storageRoot}${p}`));
