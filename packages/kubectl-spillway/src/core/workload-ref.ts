/** `KIND/NAME` as kubectl takes it, for the two federated workload kinds and their short names. */
import type { WorkloadKind } from "@spillway/rules";

const NAMES: Record<string, WorkloadKind> = {
  federateddeployment: "FederatedDeployment",
  federateddeployments: "FederatedDeployment",
  "federateddeployment.spillway.dev": "FederatedDeployment",
  "federateddeployments.spillway.dev": "FederatedDeployment",
  fdeploy: "FederatedDeployment",
  federatedstatefulset: "FederatedStatefulSet",
  federatedstatefulsets: "FederatedStatefulSet",
  "federatedstatefulset.spillway.dev": "FederatedStatefulSet",
  "federatedstatefulsets.spillway.dev": "FederatedStatefulSet",
  fsts: "FederatedStatefulSet",
};

export interface WorkloadRef {
  kind: WorkloadKind;
  name: string;
}

export function parseWorkloadRef(arg: string | undefined): WorkloadRef {
  const [kind, name, ...rest] = (arg ?? "").split("/");
  const k = NAMES[(kind ?? "").toLowerCase()];
  if (!k || !name || rest.length) {
    throw new Error(
      `expected KIND/NAME with KIND one of federateddeployment (fdeploy) or federatedstatefulset (fsts), got ${JSON.stringify(arg ?? "")}`,
    );
  }
  return { kind: k, name };
}

/** The resource name kubectl prints for a kind: `federateddeployment.spillway.dev`. */
export const resourceName = (kind: WorkloadKind) => `${kind.toLowerCase()}.spillway.dev`;
