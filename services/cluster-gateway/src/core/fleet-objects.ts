/**
 * Member objects as keys of the fleet keyspace (ADR 0008), and the policy for a name that exists
 * in more than one member: the best-ranked member's object keeps the name; every other one is
 * served as `<name>.<cluster>`. Nothing is hidden or lost, every object has a key of its own that
 * informers can track, and the rename holds while both exist. Each object carries the label
 * `spillway.dev/cluster`, so `-l spillway.dev/cluster=idc-1` selects one member.
 */
import { apiVersionOf, clusterLabel, fleetResources, managedByLabel, storageKey, type FleetResource } from "@spillway/api";
import { federatedDeploymentAnnotation } from "@spillway/rules";
import { fleetReplicaSetOf, fleetReplicaSets, type MemberReplicaSet } from "./fleet-replicasets.ts";
import type { FleetKeyspace } from "./fleet-keyspace.ts";
import { fleetUid, fleetView, type KubeJson } from "./fleet-level.ts";
import { testHookMember } from "./test-hook-pods.ts";

export interface MemberObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  managedFields?: unknown;
  [field: string]: unknown;
}

export interface MemberObject {
  metadata?: MemberObjectMeta;
  [field: string]: unknown;
}

/** The cluster name the host's (fleet-level) objects are held under. */
export const HOST = "";

/** Who holds the object behind a fleet key: enough to write it back to its member. */
export interface Holding {
  resource: FleetResource;
  cluster: string;
  namespace: string | undefined;
  /** The name in the member (the fleet name may carry the `.cluster` suffix). */
  name: string;
  object: MemberObject;
  /**
   * The member's owner references served as the fleet's owners (a pod's member ReplicaSet as the
   * fleet ReplicaSet), by the fleet owner's uid: a write through the fleet names the member's again.
   */
  fleetOwners?: ReadonlyMap<string, OwnerReference>;
}

export interface OwnerReference {
  kind?: string;
  name?: string;
  uid?: string;
  controller?: boolean;
  [field: string]: unknown;
}

/** Lower is better; ties go by cluster name. */
export type ClusterRank = (cluster: string) => number;

export class FleetObjects {
  private readonly keyspace: FleetKeyspace;
  private readonly rank: ClusterRank;
  /** resource|namespace|name → cluster → the member's object. */
  private readonly groups = new Map<string, Map<string, MemberObject>>();
  /** resource|namespace|name → the keys it is served under now, with their holder's cluster. */
  private readonly servedAs = new Map<string, Map<string, string>>();
  private readonly holdings = new Map<string, Holding>();
  /** namespace/deployment → the members' ReplicaSets of that fleet Deployment, by `cluster/namespace/name`. */
  private readonly memberReplicaSets = new Map<string, Map<string, MemberReplicaSet>>();
  /** cluster/namespace/name of a member ReplicaSet → the fleet Deployment it is counted in. */
  private readonly replicaSetOwner = new Map<string, string>();
  /** namespace/deployment → the names of the fleet ReplicaSets served for it. */
  private readonly fleetReplicaSetNames = new Map<string, Set<string>>();
  /** kind|namespace|name of a member owner → the pods (by group id) naming it as their controller. */
  private readonly dependents = new Map<string, Map<string, { namespace: string; name: string }>>();
  /** A member owner (or a fleet StatefulSet) → the fleet owner uid its pods were last served with. */
  private readonly ownerServedAs = new Map<string, string>();

  constructor(keyspace: FleetKeyspace, rank: ClusterRank) {
    this.keyspace = keyspace;
    this.rank = rank;
  }

  /** The member object served under `key`, if any. */
  holding(key: string): Holding | undefined {
    return this.holdings.get(key);
  }

  /**
   * The member object behind `key`, whole, in the member's form: decoded from the stored JSON,
   * because the holding's own object may be what a shrunk cache kept of it.
   */
  memberObject(key: string): MemberObject | undefined {
    const holding = this.holdings.get(key);
    const value = this.keyspace.latest(key)?.value;
    if (!holding || holding.cluster === HOST || value === undefined) return holding?.object;
    return decodeForMember(JSON.parse(value) as MemberObject, holding);
  }

  upsert(resource: FleetResource, cluster: string, object: MemberObject): void {
    if (this.memberReplicaSet(resource, cluster, object.metadata?.namespace, object.metadata?.name, object)) return;
    // What Spillway made in a member from a fleet-level object is that object again: not served twice.
    if (resource.fleetLevel && cluster !== HOST && object.metadata?.labels?.[managedByLabel]) {
      this.remove(resource, cluster, object.metadata.namespace, object.metadata.name ?? "");
      return;
    }
    const name = object.metadata?.name;
    if (!name) throw new Error(`a ${resource.kind} from ${cluster} has no metadata.name`);
    const namespace = resource.namespaced ? object.metadata?.namespace : undefined;
    if (resource.namespaced && !namespace) throw new Error(`${resource.kind} ${name} from ${cluster} has no namespace`);
    const id = groupId(resource, namespace, name);
    let group = this.groups.get(id);
    if (!group) this.groups.set(id, (group = new Map()));
    if (resource === PODS) this.dependOn(group.get(cluster), object, id, namespace!, name);
    group.set(cluster, object);
    this.serve(resource, namespace, name, id, cluster);
    if (cluster === HOST && resource === DEPLOYMENTS) this.refreshReplicaSets(`${namespace}/${name}`);
    if (cluster === HOST && resource === STATEFULSETS) this.statefulSetMoved(namespace!, name);
  }

  remove(resource: FleetResource, cluster: string, namespace: string | undefined, name: string): void {
    if (this.memberReplicaSet(resource, cluster, namespace, name, undefined)) return;
    const id = groupId(resource, resource.namespaced ? namespace : undefined, name);
    const group = this.groups.get(id);
    const gone = group?.get(cluster);
    if (!group?.delete(cluster)) return;
    if (resource === PODS) this.dependOn(gone, undefined, id, namespace!, name);
    if (group.size === 0) this.groups.delete(id);
    this.serve(resource, resource.namespaced ? namespace : undefined, name, id);
    if (cluster === HOST && resource === DEPLOYMENTS) this.refreshReplicaSets(`${namespace}/${name}`);
    if (cluster === HOST && resource === STATEFULSETS) this.statefulSetMoved(namespace!, name);
  }

  /** Keeps the index of which pods name which owner, across a pod's change from `before` to `after`. */
  private dependOn(before: MemberObject | undefined, after: MemberObject | undefined, id: string, namespace: string, name: string): void {
    const was = ownerKey(before, namespace);
    const now = ownerKey(after, namespace);
    if (was === now) return;
    if (was) {
      const pods = this.dependents.get(was);
      pods?.delete(id);
      if (pods?.size === 0) this.dependents.delete(was);
    }
    if (now) {
      let pods = this.dependents.get(now);
      if (!pods) this.dependents.set(now, (pods = new Map()));
      pods.set(id, { namespace, name });
    }
  }

  /**
   * What a member pod's controller is through the fleet: its member ReplicaSet of a fleet
   * Deployment is the fleet ReplicaSet it is counted in, its member StatefulSet of a fleet
   * StatefulSet is that StatefulSet. Undefined when it is the member's own (served as it is).
   */
  private fleetOwner(cluster: string, namespace: string | undefined, ref: OwnerReference): OwnerReference | undefined {
    if (!namespace || !ref.name) return undefined;
    if (ref.kind === "ReplicaSet") {
      const id = `${cluster}/${namespace}/${ref.name}`;
      const deployment = this.replicaSetOwner.get(id);
      const member = deployment ? this.memberReplicaSets.get(deployment)?.get(id) : undefined;
      const fd = deployment ? this.hostObject(DEPLOYMENTS, deployment) : undefined;
      if (!member || !fd || member.rs.metadata?.uid !== ref.uid) return undefined;
      // Only its name and fleet uid matter here: no whole view on every member ReplicaSet change.
      const fleet = fleetReplicaSetOf({ metadata: { name: fd.metadata?.name, uid: fleetUid(fd as KubeJson) } }, member.rs);
      return fleet ? { ...ref, ...fleet } : undefined;
    }
    if (ref.kind === "StatefulSet") {
      const sts = this.hostObject(STATEFULSETS, `${namespace}/${ref.name}`);
      const uid = sts ? fleetUid(sts as KubeJson) : undefined;
      return uid ? { ...ref, uid } : undefined;
    }
    return undefined;
  }

  private hostObject(resource: FleetResource, namespacedName: string): MemberObject | undefined {
    const slash = namespacedName.indexOf("/");
    return this.groups.get(groupId(resource, namespacedName.slice(0, slash), namespacedName.slice(slash + 1)))?.get(HOST);
  }

  /** A pod's owner references as the fleet serves them, and the member's ones they stand for. */
  private withFleetOwners(cluster: string, object: MemberObject): { object: MemberObject; owners?: Map<string, OwnerReference> } {
    const refs = object.metadata?.ownerReferences as OwnerReference[] | undefined;
    if (!Array.isArray(refs)) return { object };
    const owners = new Map<string, OwnerReference>();
    const served = refs.map((ref) => {
      const fleet = ref.controller ? this.fleetOwner(cluster, object.metadata?.namespace, ref) : undefined;
      if (!fleet) return ref;
      owners.set(fleet.uid!, ref);
      return fleet;
    });
    return owners.size ? { object: { ...object, metadata: { ...object.metadata, ownerReferences: served } }, owners } : { object };
  }

  /**
   * An owner's fleet identity may have changed (its workload or ReplicaSet arrived, changed or
   * left): the pods naming it are served again, only when what they would name differs.
   */
  private ownerMoved(cluster: string, kind: string, namespace: string, name: string, now: string | undefined): void {
    const cached = `${cluster}|${kind}|${namespace}|${name}`;
    if (this.ownerServedAs.get(cached) === now) return;
    if (now === undefined) this.ownerServedAs.delete(cached);
    else this.ownerServedAs.set(cached, now);
    for (const [id, pod] of this.dependents.get(`${kind}|${namespace}|${name}`) ?? []) this.serve(PODS, pod.namespace, pod.name, id);
  }

  private replicaSetMoved(id: string): void {
    const [cluster, namespace, name] = id.split("/") as [string, string, string];
    const rs = this.replicaSetOwner.has(id) ? { kind: "ReplicaSet", name, uid: this.memberReplicaSetUid(id) } : undefined;
    this.ownerMoved(cluster, "ReplicaSet", namespace, name, rs && this.fleetOwner(cluster, namespace, rs)?.uid);
  }

  private memberReplicaSetUid(id: string): string | undefined {
    return this.memberReplicaSets.get(this.replicaSetOwner.get(id)!)?.get(id)?.rs.metadata?.uid;
  }

  private statefulSetMoved(namespace: string, name: string): void {
    this.ownerMoved(HOST, "StatefulSet", namespace, name, this.fleetOwner(HOST, namespace, { kind: "StatefulSet", name })?.uid);
  }

  /**
   * A member's ReplicaSet of a fleet Deployment is part of one of the fleet's ReplicaSets (not
   * served on its own): true when `object` (or its removal, when undefined) was taken that way.
   */
  private memberReplicaSet(
    resource: FleetResource,
    cluster: string,
    namespace: string | undefined,
    name: string | undefined,
    object: MemberObject | undefined,
  ): boolean {
    if (resource !== REPLICASETS || cluster === HOST || !namespace || !name) return false;
    const id = `${cluster}/${namespace}/${name}`;
    const owner = (object?.metadata?.annotations as Record<string, string> | undefined)?.[federatedDeploymentAnnotation];
    const before = this.replicaSetOwner.get(id);
    if (before && before !== owner) {
      // Removed, or no longer that workload's: it counts there no more.
      this.memberReplicaSets.get(before)?.delete(id);
      this.replicaSetOwner.delete(id);
      this.refreshReplicaSets(before);
      this.replicaSetMoved(id);
    }
    if (!object || !owner) return !object && before !== undefined;
    if (this.groups.get(groupId(resource, namespace, name))?.has(cluster)) this.remove(resource, cluster, namespace, name);
    let held = this.memberReplicaSets.get(owner);
    if (!held) this.memberReplicaSets.set(owner, (held = new Map()));
    held.set(id, { cluster, rs: object as KubeJson });
    this.replicaSetOwner.set(id, owner);
    this.refreshReplicaSets(owner);
    return true;
  }

  /** Serves the fleet ReplicaSets of one fleet Deployment from its members' (none once it is gone). */
  private refreshReplicaSets(deployment: string): void {
    const [namespace, name] = [deployment.slice(0, deployment.indexOf("/")), deployment.slice(deployment.indexOf("/") + 1)];
    const fd = this.groups.get(groupId(DEPLOYMENTS, namespace, name))?.get(HOST);
    const members = [...(this.memberReplicaSets.get(deployment)?.values() ?? [])];
    const next = fd ? fleetReplicaSets(fleetView(DEPLOYMENTS, fd as KubeJson), members) : [];
    const names = new Set(next.map((rs) => rs.metadata!.name!));
    for (const gone of this.fleetReplicaSetNames.get(deployment) ?? [])
      if (!names.has(gone)) this.remove(REPLICASETS, HOST, namespace, gone);
    for (const rs of next) this.upsert(REPLICASETS, HOST, rs as MemberObject);
    if (names.size) this.fleetReplicaSetNames.set(deployment, names);
    else this.fleetReplicaSetNames.delete(deployment);
    for (const id of this.memberReplicaSets.get(deployment)?.keys() ?? []) this.replicaSetMoved(id);
  }

  /** Where a chart's test Pod in `namespace` runs: the best-ranked member running ready pods of its fleet Deployments. */
  testHookMember(namespace: string): string | undefined {
    const ready = new Map<string, number>();
    for (const [deployment, sets] of this.memberReplicaSets) {
      if (!deployment.startsWith(`${namespace}/`)) continue;
      for (const { cluster, rs } of sets.values()) {
        const n = rs.status?.readyReplicas;
        ready.set(cluster, (ready.get(cluster) ?? 0) + (typeof n === "number" ? n : 0));
      }
    }
    return testHookMember(ready, this.rank);
  }

  /** The names (namespace/name) a member holds of a resource, for a resync against a fresh list. */
  heldBy(resource: FleetResource, cluster: string): Array<{ namespace: string | undefined; name: string }> {
    const out: Array<{ namespace: string | undefined; name: string }> = [];
    if (resource === REPLICASETS)
      for (const id of this.replicaSetOwner.keys()) {
        const [c, namespace, name] = id.split("/");
        if (c === cluster) out.push({ namespace, name: name! });
      }
    for (const [id, group] of this.groups) {
      if (!group.has(cluster) || !id.startsWith(`${resource.group}/${resource.resource}|`)) continue;
      const o = group.get(cluster)!;
      out.push({ namespace: o.metadata?.namespace, name: o.metadata!.name! });
    }
    return out;
  }

  /** A member that left the fleet: every object of it is deleted (its names pass to the next). */
  removeCluster(resources: readonly FleetResource[], cluster: string): void {
    for (const r of resources) for (const { namespace, name } of this.heldBy(r, cluster)) this.remove(r, cluster, namespace, name);
  }

  /**
   * The ranking changed (a member joined, or its tier or priority did): every shared name passes
   * to the member that now ranks best. Only names whose holder changes are touched.
   */
  rerank(): void {
    for (const [id, group] of this.groups) {
      if (group.size < 2) continue;
      const served = this.servedAs.get(id);
      const [best] = this.byRank([...group.keys()]);
      const somekey = served?.keys().next().value;
      const held = somekey === undefined ? undefined : this.holdings.get(somekey);
      if (!served || !held) continue;
      const plain = storageKey(held.resource, held.namespace, held.name);
      if (served.get(plain) === best) continue;
      this.serve(held.resource, held.namespace, held.name, id);
    }
  }

  /** The host's (fleet-level) object first: it is the fleet's one object of that name. */
  private byRank(clusters: string[]): string[] {
    const rank = (c: string) => (c === HOST ? -Infinity : this.rank(c));
    return clusters.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  }

  /**
   * Serves every holder of a name under its key. Only `fresh` (the cluster whose object just
   * arrived) is encoded from its object: the others are re-served from the JSON they are stored
   * as, renamed and re-owned, because what a member's cache still holds of an object may be
   * shrunk (see `compactPod`); the stored JSON is the one whole copy.
   */
  private serve(resource: FleetResource, namespace: string | undefined, name: string, id: string, fresh?: string): void {
    const group = this.groups.get(id);
    const holders = group ? this.byRank([...group.keys()]) : [];
    const wanted = new Map<string, string>();
    holders.forEach((cluster, i) => wanted.set(storageKey(resource, namespace, i === 0 ? name : `${name}.${cluster}`), cluster));
    const before = this.servedAs.get(id) ?? new Map<string, string>();
    // Read before any key changes hands; the fresh object and the host's are encoded anew.
    const stored = new Map<string, string>();
    for (const [key, cluster] of before) {
      if (cluster === fresh || cluster === HOST) continue;
      const value = this.keyspace.latest(key)?.value;
      if (value !== undefined) stored.set(cluster, value);
    }
    // A key that changes hands is deleted first: a different object, not a modification of one.
    for (const [key, cluster] of before) {
      if (wanted.get(key) === cluster) continue;
      this.keyspace.delete(key);
      this.holdings.delete(key);
    }
    for (const [key, cluster] of wanted) {
      const object = group!.get(cluster)!;
      const fleetName = key.slice(key.lastIndexOf("/") + 1);
      const served = resource === PODS && cluster !== HOST ? this.withFleetOwners(cluster, object) : { object };
      const was = stored.get(cluster);
      const value =
        was === undefined
          ? encodeForFleet(resource, cluster, served.object, fleetName)
          : reserved(was, fleetName, served.object.metadata?.ownerReferences);
      this.keyspace.put(key, value);
      this.holdings.set(key, { resource, cluster, namespace, name, object, ...(served.owners ? { fleetOwners: served.owners } : {}) });
    }
    if (wanted.size) this.servedAs.set(id, wanted);
    else this.servedAs.delete(id);
  }
}

const DEPLOYMENTS = fleetResources.find((r) => r.resource === "deployments")!;
const REPLICASETS = fleetResources.find((r) => r.resource === "replicasets")!;
const STATEFULSETS = fleetResources.find((r) => r.resource === "statefulsets")!;
const PODS = fleetResources.find((r) => r.resource === "pods")!;

/** The owner a pod's controller reference names, as the dependents index keys it. */
function ownerKey(pod: MemberObject | undefined, namespace: string): string | undefined {
  const ref = (pod?.metadata?.ownerReferences as OwnerReference[] | undefined)?.find?.((r) => r.controller);
  return ref?.kind && ref.name ? `${ref.kind}|${namespace}|${ref.name}` : undefined;
}

const groupId = (r: FleetResource, namespace: string | undefined, name: string) => `${r.group}/${r.resource}|${namespace ?? ""}|${name}`;

/**
 * The stored form kube-apiserver decodes: typed (list items come without apiVersion/kind), named
 * as the fleet serves it, labelled with its member; the resourceVersion is kube-apiserver's to
 * set from the key's revision.
 */
export function encodeForFleet(resource: FleetResource, cluster: string, object: MemberObject, fleetName: string): string {
  if (cluster === HOST) {
    // A fleet-level object: the host's, as its native kind, with no member label.
    const { metadata = {}, apiVersion: _a, kind: _k, ...rest } = fleetView(resource, object as KubeJson);
    const { resourceVersion: _rv, ...meta } = metadata;
    return JSON.stringify({ apiVersion: apiVersionOf(resource), kind: resource.kind, metadata: { ...meta, name: fleetName }, ...rest });
  }
  const { metadata = {}, apiVersion: _a, kind: _k, ...rest } = object;
  const { resourceVersion: _rv, ...meta } = metadata;
  return JSON.stringify({
    apiVersion: apiVersionOf(resource),
    kind: resource.kind,
    metadata: { ...meta, name: fleetName, labels: { ...meta.labels, [clusterLabel]: cluster } },
    ...rest,
  });
}

/** A member object's stored fleet JSON under another fleet name and owners (see `serve`). */
function reserved(stored: string, fleetName: string, ownerReferences: unknown): string {
  const object = JSON.parse(stored) as MemberObject & { metadata: MemberObjectMeta };
  object.metadata.name = fleetName;
  if (ownerReferences !== undefined) object.metadata.ownerReferences = ownerReferences;
  return JSON.stringify(object);
}

/**
 * A fleet object written by kube-apiserver, turned back into its member's form: the member's
 * name and resourceVersion (its optimistic lock), without the fleet's cluster label (unless the
 * member's own object had it) and without managedFields, which the member keeps as they are
 * when an update carries none.
 */
export function decodeForMember(value: MemberObject, holding: Holding): MemberObject {
  const { metadata = {}, ...rest } = value;
  const { managedFields: _m, labels = {}, ownerReferences, ...meta } = metadata;
  const owners = holding.fleetOwners;
  const memberOwners =
    owners && Array.isArray(ownerReferences)
      ? (ownerReferences as OwnerReference[]).map((r) => (r.uid && owners.get(r.uid)) || r)
      : ownerReferences;
  const ownLabel = holding.object.metadata?.labels?.[clusterLabel];
  const { [clusterLabel]: _c, ...otherLabels } = labels;
  const memberLabels = ownLabel === undefined ? otherLabels : { ...otherLabels, [clusterLabel]: ownLabel };
  return {
    ...rest,
    metadata: {
      ...meta,
      ...(memberOwners !== undefined ? { ownerReferences: memberOwners } : {}),
      name: holding.name,
      ...(holding.object.metadata?.resourceVersion ? { resourceVersion: holding.object.metadata.resourceVersion } : {}),
      ...(Object.keys(memberLabels).length ? { labels: memberLabels } : {}),
    },
  };
}
