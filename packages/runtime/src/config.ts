/**
 * Service configuration from flags, then environment (`SPILLWAY_*`), then defaults. Every service
 * takes the same base options; a bad value stops start-up with a message naming the flag.
 */
import { hostname } from "node:os";
import { parseArgs } from "node:util";

export interface ServiceConfig {
  service: string;
  /** Host-cluster kubeconfig; empty means in-cluster or the default loading rules. */
  kubeconfig: string;
  context: string;
  natsUrl: string;
  healthHost: string;
  healthPort: number;
  leaseNamespace: string;
  identity: string;
  leaseDurationMs: number;
  otlpEndpoint: string;
}

const FLAGS = {
  kubeconfig: { env: "KUBECONFIG", def: "" },
  context: { env: "SPILLWAY_CONTEXT", def: "" },
  "nats-url": { env: "SPILLWAY_NATS_URL", def: "nats://127.0.0.1:4222" },
  "health-addr": { env: "SPILLWAY_HEALTH_ADDR", def: "127.0.0.1:8080" },
  "lease-namespace": { env: "SPILLWAY_LEASE_NAMESPACE", def: "spillway-system" },
  identity: { env: "SPILLWAY_IDENTITY", def: "" },
  "lease-duration": { env: "SPILLWAY_LEASE_DURATION_SECONDS", def: "15" },
  "otlp-endpoint": { env: "OTEL_EXPORTER_OTLP_ENDPOINT", def: "" },
} as const;

type FlagName = keyof typeof FLAGS;

export function parseConfig(service: string, argv: string[], env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(Object.keys(FLAGS).map((k) => [k, { type: "string" as const }])),
    strict: true,
  });
  const get = (flag: FlagName): string => (values[flag] as string | undefined) ?? env[FLAGS[flag].env] ?? FLAGS[flag].def;

  const health = get("health-addr");
  const colon = health.lastIndexOf(":");
  const healthPort = Number(health.slice(colon + 1));
  if (colon < 0 || !Number.isInteger(healthPort) || healthPort < 0 || healthPort > 65535) {
    throw new Error(`--health-addr must be host:port, got ${JSON.stringify(health)}`);
  }
  const leaseSeconds = Number(get("lease-duration"));
  if (!Number.isFinite(leaseSeconds) || leaseSeconds < 2) {
    throw new Error(`--lease-duration must be a number of seconds >= 2, got ${JSON.stringify(get("lease-duration"))}`);
  }
  return {
    service,
    kubeconfig: get("kubeconfig"),
    context: get("context"),
    natsUrl: get("nats-url"),
    healthHost: health.slice(0, colon) || "0.0.0.0",
    healthPort,
    leaseNamespace: get("lease-namespace"),
    identity: get("identity") || `${hostname()}-${process.pid}`,
    leaseDurationMs: leaseSeconds * 1000,
    otlpEndpoint: get("otlp-endpoint"),
  };
}
