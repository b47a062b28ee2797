/** The rules every Spillway service applies the same way. Pure; no IO. */
export * from "./label-selector.ts";
export * from "./member.ts";
export * from "./naming.ts";
export * from "./tier-rank.ts";
export * from "./applied-config.ts";
export * from "./member-template.ts";
export * from "./member-gate.ts";
export * from "./member-conflict.ts";
export * from "./deep-equal.ts";
export * from "./scheduled-condition.ts";
export * from "./member-workload.ts";
export * from "./member-scaling.ts";
export * from "./workload-dependencies.ts";
export * from "./dependency-copies.ts";
export * from "./dependency-gate.ts";
export * from "./object-gauge.ts";
