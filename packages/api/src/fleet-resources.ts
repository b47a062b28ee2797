/**
 * The fleet API's contract between cluster-gateway (which stores these resources) and the fleet
 * kube-apiserver (whose `--etcd-servers-overrides` sends them there): the member-resident
 * resources served merged from every member (ADR 0008), where
 * kube-apiserver keeps each in storage (its key prefix, which is not always the plural), the
 * version it stores, and the federated kind a user creates instead.
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
  /** What to create instead, for kinds Spillway federates. */
  createInstead?: string;
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

export const fleetResources: readonly FleetResource[] = [
  builtin("", "pods", "Pod", federated("FederatedDeployment or FederatedStatefulSet")),
  builtin("", "nodes", "Node", { storagePrefix: "minions", namespaced: false }),
  builtin("", "events", "Event", { statusSubresource: false }),
  builtin("", "services", "Service", { storagePrefix: "services/specs" }),
  builtin("", "persistentvolumeclaims", "PersistentVolumeClaim"),
  builtin("", "configmaps", "ConfigMap", { statusSubresource: false }),
  builtin("discovery.k8s.io", "endpointslices", "EndpointSlice", { statusSubresource: false }),
  builtin("apps", "deployments", "Deployment", federated("FederatedDeployment")),
  builtin("apps", "replicasets", "ReplicaSet", federated("FederatedDeployment")),
  builtin("apps", "statefulsets", "StatefulSet", federated("FederatedStatefulSet")),
];

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
