/** The shared service process shell. */
export * from "./config.ts";
export * from "./service.ts";
