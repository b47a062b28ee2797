/** The reconcile kit every Spillway controller is built from. */
export * from "./backoff.ts";
export * from "./coalescer.ts";
export * from "./conditions.ts";
export * from "./controller.ts";
export * from "./deep-equal.ts";
export * from "./errors.ts";
export * from "./event-recorder.ts";
export * from "./finalizers.ts";
export * from "./informer.ts";
export * from "./kube-config.ts";
export * from "./leader-election.ts";
export * from "./object-key.ts";
export * from "./owner-references.ts";
export * from "./resource-client.ts";
export * from "./status-writer.ts";
export * from "./work-queue.ts";
