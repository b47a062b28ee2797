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
 *   with what to do instead, members' own objects are shown as member-level ones.
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
];

/** The label Spillway puts on what it makes in members: those objects are copies of fleet-level ones. */
export const managedByLabel = "spillway.dev/managed-by";

export const storageRoot = "/registry/";

/** The label on every object the fleet API serves, naming the member it came from (selectable with -l). */
export const clusterLabel = "spillway.dev/cluster";

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
 * Resources the fleet kube-apiserver keeps for itself beside the member-resident ones: the
 * IPAddresses and ServiceCIDRs its Service IP allocator tracks for the Services it stores. In the
 * host's etcd they would be mistaken for the host's own (its repair loop would release the host's
 * addresses and claim the members'), so they live in the gateway's keyspace, private to the fleet
 * API. (Service IP and node-port ranges follow Services' storage there by themselves.)
 */
export const fleetPrivateResources: readonly string[] = ["networking.k8s.io/ipaddresses", "networking.k8s.io/servicecidrs"];

/**
 * kube-apiserver's `--etcd-servers-overrides` value sending these resources to `server`. Core
 * events are served to `events.k8s.io` from the same storage; both are named so either spelling
 * of the cohabitation reaches the shim.
 */
export function etcdServersOverrides(server: string): string {
  const names = fleetResources.map((r) => `${r.group}/${r.resource}`);
  names.push("events.k8s.io/events", ...fleetPrivateResources);
  return names.map((n) => `${n}#${server}`).join(",");
}
