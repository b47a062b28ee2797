/**
 * What the fleet API lets a client write (ADR 0008, ADR 0009), decided apart from the etcd
 * protocol that carries the write:
 * - **Creates of fleet-level kinds** (a Deployment, a ConfigMap…) go to the host, where the
 *   fleet-level object lives; **creates of member-level kinds** are refused with what to do
 *   instead (the federated kind, or the member), as are kinds the fleet does not run.
 * - **System namespaces are read-only**, on the host as in members: each cluster's control plane
 *   owns them (and the fleet API server's own controllers, which write there, must reach none).
 * - **The `kubernetes` Service in `default`** is each cluster's own address of its API server.
 * - **Read-only host kinds** (CustomResourceDefinitions, MemberClusters, Placements) are served, not
 *   written: only a write that leaves what the host keeps as it is passes (the fleet API server's
 *   own controllers write the status the host's have already written).
 * - **Kinds the fleet API does not keep** (anything neither served from the clusters nor the API
 *   server's own bookkeeping) are refused, so nothing written through it is kept where it would be lost.
 * Everything else goes to whoever holds the object (the host or its member), which has the last word.
 */
import { HOST } from "./fleet-objects.ts";

export interface FleetWrite {
  resource: { resource: string; createInstead?: string; refuse?: string; fleetLevel?: unknown };
  name: string;
  /** The namespace written in (for a create, the one it is made in). */
  namespace?: string;
  /** Where the object is, for a write to an existing one; undefined for a create. */
  holding?: { cluster: string };
}

export type FleetWriteVerdict =
  { allowed: true } | { allowed: false; reason: "CreateRefused" | "ReadOnlyNamespace" | "ReadOnlyObject"; message: string };

export function judgeFleetWrite(w: FleetWrite, readOnlyNamespaces: readonly string[]): FleetWriteVerdict {
  const { resource, name, holding, namespace } = w;
  const where = holding ? (holding.cluster === HOST ? "on the host" : `in ${holding.cluster}`) : "in the cluster that owns it";
  if (namespace && readOnlyNamespaces.includes(namespace))
    return {
      allowed: false,
      reason: "ReadOnlyNamespace",
      message: `${resource.resource} in ${namespace} are read-only through the fleet API: each cluster's control plane owns them (change ${name} ${where})`,
    };
  if (resource.resource === "services" && namespace === "default" && name === "kubernetes")
    return {
      allowed: false,
      reason: "ReadOnlyObject",
      message: "the kubernetes Service in default is each cluster's own address of its API server: it is not written through the fleet API",
    };
  if (holding?.cluster === HOST && !resource.fleetLevel)
    return {
      allowed: false,
      reason: "ReadOnlyObject",
      message: `${resource.resource} "${name}" is the fleet's view of its members' objects: change the workload that owns it`,
    };
  if (holding || resource.fleetLevel) return { allowed: true };
  return {
    allowed: false,
    reason: "CreateRefused",
    message:
      `${resource.resource} are not created through the fleet API (${resource.resource} "${name}"): ` +
      (resource.refuse ??
        (resource.createInstead ? `create ${resource.createInstead} on the host, or ` : "") + "create it in its member cluster"),
  };
}

/** A write of a fleet-level kind the fleet serves read-only (`readOnly`): allowed only when it changes nothing the host keeps. */
export function judgeReadOnlyWrite(
  resource: { resource: string; readOnly?: string },
  name: string,
  changesHost: boolean,
): FleetWriteVerdict {
  if (!resource.readOnly || !changesHost) return { allowed: true };
  return {
    allowed: false,
    reason: "ReadOnlyObject",
    message: `${resource.resource} are read-only through the fleet API (${resource.resource} "${name}"): ${resource.readOnly}`,
  };
}

/**
 * A write to a key that is neither a fleet resource nor kube-apiserver's own bookkeeping: the kind
 * named by the key (`/registry/poddisruptionbudgets/shop/web` → poddisruptionbudgets) is not kept.
 */
export function notKeptMessage(key: string): string {
  const [first = "", second = ""] = key.replace(/^\/registry\//, "").split("/");
  const kind = first.includes(".") ? `${second}.${first}` : first;
  return (
    `${kind} are not kept by the fleet API, which serves the members' objects, the fleet's workloads and what follows them: ` +
    "create them on the host, or in the member cluster they belong to"
  );
}
