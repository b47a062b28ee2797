/**
 * Names Spillway derives from a workload's. A Placement is named for the workload's kind and name
 * so two kinds of the same name never collide; member objects keep the workload's own name and
 * namespace, so `kubectl get deploy web` in a member finds the copy of `web`.
 */

import { createHash } from "node:crypto";

export type WorkloadKind = "FederatedDeployment" | "FederatedStatefulSet";

export const placementName = (kind: WorkloadKind, name: string) => `${kind.toLowerCase()}-${name}`;

/** On a member Deployment (and so on its ReplicaSets): the FederatedDeployment it runs, as `namespace/name`. */
export const federatedDeploymentAnnotation = "spillway.dev/federated-deployment";
/**
 * On a member Deployment (and so on the ReplicaSets it makes): the hash of the fleet's pod template
 * it runs, before any override; the fleet API groups members' ReplicaSets into the fleet's by it.
 */
export const fleetTemplateHashAnnotation = "spillway.dev/fleet-template-hash";

/** A uid for an object Spillway derives (no API server gave it one): the same seed, the same uid, across restarts. */
export function stableUid(seed: string): string {
  const h = createHash("sha256").update(seed).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
