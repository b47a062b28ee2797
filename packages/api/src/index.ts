/** The spillway.dev/v1alpha1 API: kinds, their TypeScript types, and their CRDs. */
export * from "./kind-definition.ts";
export * from "./crd.ts";
export * from "./schema/builders.ts";
export * from "./schema/meta.ts";
export * from "./schema/object-meta.ts";
export * from "./schema/workload.ts";
export * from "./kinds/member-cluster.ts";
export * from "./kinds/federated-deployment.ts";
export * from "./kinds/federated-stateful-set.ts";
export * from "./kinds/federated-hpa.ts";
export * from "./kinds/placement.ts";
export * from "./fleet-resources.ts";
export * from "./member-access.ts";
