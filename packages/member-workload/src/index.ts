/** The member-workload shell: what fleet-root and the stateful-orchestrator share. */
export * from "./member-workload-controller.ts";
export * from "./member-writer.ts";
export * from "./dependency-sight.ts";
