/** The shared service process shell. */
export * from "./config.ts";
export * from "./service.ts";
export * from "./object-gauges.ts";
