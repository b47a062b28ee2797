/**
 * Builds CustomResourceDefinition manifests from the kind definitions. The CRD is the contract
 * the API server enforces; deriving it from the same TypeBox schema the services compile against
 * is what keeps the two in step.
 */
import type { KindDefinition } from "./kind-definition.ts";
import { GROUP, VERSION } from "./kind-definition.ts";
import { federatedDeploymentKind } from "./kinds/federated-deployment.ts";
import { federatedHPAKind } from "./kinds/federated-hpa.ts";
import { federatedStatefulSetKind } from "./kinds/federated-stateful-set.ts";
import { memberClusterKind } from "./kinds/member-cluster.ts";
import { placementKind } from "./kinds/placement.ts";

/** Every kind of the API, in the order manifests are written. */
export const allKinds: readonly KindDefinition[] = [
  memberClusterKind,
  federatedDeploymentKind,
  federatedStatefulSetKind,
  federatedHPAKind,
  placementKind,
];

/** TypeBox keeps its bookkeeping under symbol keys; a JSON round trip leaves the plain schema. */
function plain(schema: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
}

/** The `apiextensions.k8s.io/v1` CRD for one kind. */
export function crdFor(def: KindDefinition) {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${def.plural}.${GROUP}` },
    spec: {
      group: GROUP,
      names: {
        kind: def.kind,
        listKind: `${def.kind}List`,
        plural: def.plural,
        singular: def.singular,
        shortNames: def.shortNames,
        categories: def.categories,
      },
      scope: def.scope,
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: "object",
              description: def.description,
              required: ["spec"],
              properties: {
                // Kubernetes' own words for the envelope, so `kubectl explain` reads as for any kind.
                apiVersion: {
                  type: "string",
                  description:
                    "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values.",
                },
                kind: {
                  type: "string",
                  description:
                    "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. In CamelCase.",
                },
                // The API server forbids anything but `type` here (metadata's schema is its own).
                metadata: { type: "object" },
                spec: plain(def.spec),
                status: plain(def.status),
              },
            },
          },
          subresources: {
            status: {},
            ...(def.scale ? { scale: def.scale } : {}),
          },
          additionalPrinterColumns: def.printerColumns,
        },
      ],
    },
  };
}
