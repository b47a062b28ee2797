/** The spillway.v1 gRPC contracts (generated from proto/) and the grpc-js bridge. */
export * from "./grpc-bridge.ts";
export * from "./gen/spillway/v1/resources_pb.js";
export * from "./gen/spillway/v1/cluster_registry_pb.js";
export * from "./gen/spillway/v1/scheduler_pb.js";
export * from "./gen/spillway/v1/fleet_metrics_pb.js";
