/** Logs, traces, metrics and the health endpoint. */
export * from "./health-server.ts";
export * from "./logger.ts";
export * from "./telemetry.ts";
