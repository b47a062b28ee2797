/**
 * What the fleet API lets a client write to a member-resident object (ADR 0008), decided apart
 * from the etcd protocol that carries the write:
 * - **No creates**: a member-resident object is made in its member, or by Spillway from a
 *   federated kind on the host; the refusal names which.
 * - **Members' system namespaces are read-only**: each member's control plane owns them.
 * Everything else goes to the member that holds the object, which has the last word.
 */
export interface FleetWrite {
  /** The resource, e.g. `pods`, and the federated kind to create instead, if it has one. */
  resource: { resource: string; createInstead?: string };
  name: string;
  /** Where the object is, for a write to an existing one; undefined for a create. */
  holding?: { namespace?: string; cluster: string };
}

export type FleetWriteVerdict = { allowed: true } | { allowed: false; reason: "CreateRefused" | "ReadOnlyNamespace"; message: string };

export function judgeFleetWrite(w: FleetWrite, readOnlyNamespaces: readonly string[]): FleetWriteVerdict {
  const { resource, name, holding } = w;
  if (!holding)
    return {
      allowed: false,
      reason: "CreateRefused",
      message:
        `${resource.resource} are not created through the fleet API (${resource.resource} "${name}"): ` +
        (resource.createInstead ? `create ${resource.createInstead} on the host, or ` : "") +
        "create it in its member cluster",
    };
  if (holding.namespace && readOnlyNamespaces.includes(holding.namespace))
    return {
      allowed: false,
      reason: "ReadOnlyNamespace",
      message: `${resource.resource} in ${holding.namespace} are read-only through the fleet API: each member's control plane owns them (change ${name} in ${holding.cluster})`,
    };
  return { allowed: true };
}
