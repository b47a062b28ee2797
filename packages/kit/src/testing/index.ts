/**
 * The kit's test doubles (`@spillway/kit/testing`): in-memory API objects and member clusters, an
 * HTTP fake of an API server, fixtures. For unit tests only; shipped code never imports this entry.
 */
export * from "./fake-objects.ts";
export * from "./fake-member-objects.ts";
export * from "./fake-api-server.ts";
export * from "./member-fixture.ts";
export * from "./until.ts";
