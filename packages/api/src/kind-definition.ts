/**
 * What a CRD needs beyond the schema: names, scope, subresources and printer columns. Each kind
 * module exports one of these; the CRD generator and the typed clients both read it.
 */
import type { TSchema } from "@sinclair/typebox";

export const GROUP = "spillway.dev";
export const VERSION = "v1alpha1";
export const API_VERSION = `${GROUP}/${VERSION}`;

export interface PrinterColumn {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  jsonPath: string;
  description?: string;
  priority?: number;
}

export interface KindDefinition {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  scope: "Namespaced" | "Cluster";
  categories: string[];
  spec: TSchema;
  status: TSchema;
  /** CEL rules on the whole object (e.g. spec against metadata). */
  scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath: string };
  printerColumns: PrinterColumn[];
  description: string;
}

/** Group/version/plural of a kind, as the dynamic clients address it. */
export function resourceOf(def: KindDefinition) {
  return { group: GROUP, version: VERSION, plural: def.plural, kind: def.kind, namespaced: def.scope === "Namespaced" };
}
