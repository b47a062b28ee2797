/** Pure resource arithmetic shared by the gateway (accounting) and the scheduler (simulation). */
export * from "./pod-requests.ts";
export * from "./quantity.ts";
export * from "./resource-vector.ts";
export * from "./int-or-percent.ts";
