/**
 * Names Spillway derives from a workload's. A Placement is named for the workload's kind and name
 * so two kinds of the same name never collide; member objects keep the workload's own name and
 * namespace, so `kubectl get deploy web` in a member finds the copy of `web`.
 */

export type WorkloadKind = "FederatedDeployment" | "FederatedStatefulSet";

export const placementName = (kind: WorkloadKind, name: string) => `${kind.toLowerCase()}-${name}`;
