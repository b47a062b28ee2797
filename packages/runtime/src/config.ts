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
  grpcHost: string;
  grpcPort: number;
  /** The service's own flags, by flag name. */
  extra: Record<string, string>;
}

/** A flag a service adds to the shared set: its environment variable and default. */
export interface FlagSpec {
  env: string;
  def: string;
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
  "grpc-addr": { env: "SPILLWAY_GRPC_ADDR", def: "127.0.0.1:9090" },
} as const;

function hostPort(flag: string, value: string): { host: string; port: number } {
  const colon = value.lastIndexOf(":");
  const port = Number(value.slice(colon + 1));
  if (colon < 0 || value.slice(colon + 1) === "" || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--${flag} must be host:port, got ${JSON.stringify(value)}`);
  }
  return { host: value.slice(0, colon) || "0.0.0.0", port };
}

export function parseConfig(
  service: string,
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  extraFlags: Record<string, FlagSpec> = {},
): ServiceConfig {
  const all: Record<string, FlagSpec> = { ...FLAGS, ...extraFlags };
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(Object.keys(all).map((k) => [k, { type: "string" as const }])),
    strict: true,
  });
  const get = (flag: string): string => (values[flag] as string | undefined) ?? env[all[flag]!.env] ?? all[flag]!.def;

  const health = hostPort("health-addr", get("health-addr"));
  const grpc = hostPort("grpc-addr", get("grpc-addr"));
  const leaseSeconds = Number(get("lease-duration"));
  if (!Number.isFinite(leaseSeconds) || leaseSeconds < 2) {
    throw new Error(`--lease-duration must be a number of seconds >= 2, got ${JSON.stringify(get("lease-duration"))}`);
  }
  return {
    service,
    kubeconfig: get("kubeconfig"),
    context: get("context"),
    natsUrl: get("nats-url"),
    healthHost: health.host,
    healthPort: health.port,
    grpcHost: grpc.host,
    grpcPort: grpc.port,
    extra: Object.fromEntries(Object.keys(extraFlags).map((f) => [f, get(f)])),
    leaseNamespace: get("lease-namespace"),
    identity: get("identity") || `${hostname()}-${process.pid}`,
    leaseDurationMs: leaseSeconds * 1000,
    otlpEndpoint: get("otlp-endpoint"),
  };
}

/** Whether the command line asks for the usage (`--help` or `-h`) rather than a start. */
export const wantsHelp = (argv: readonly string[]) => argv.includes("--help") || argv.includes("-h");

/** The usage text `--help` prints: every flag with its environment variable and default. */
export function usage(service: string, extraFlags: Record<string, FlagSpec> = {}): string {
  const all: Record<string, FlagSpec> = { ...FLAGS, ...extraFlags };
  const width = Math.max(...Object.keys(all).map((f) => f.length)) + 2;
  const lines = Object.entries(all)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([flag, spec]) => `  --${flag.padEnd(width)} $${spec.env}${spec.def === "" ? "" : ` (default ${JSON.stringify(spec.def)})`}`);
  return [
    `Usage: spillway-${service} [--flag=value ...]`,
    "",
    "Each flag may be given instead as its environment variable; a flag wins over the variable.",
    "",
    ...lines,
    "",
  ].join("\n");
}

/** A service flag given in seconds, as milliseconds; names the flag when the value is bad. */
export function secondsFlag(config: ServiceConfig, flag: string, options: { allowZero?: boolean } = {}): number {
  const raw = config.extra[flag];
  const n = Number(raw);
  if (raw === undefined || raw === "" || !Number.isFinite(n) || n < 0 || (n === 0 && !options.allowZero)) {
    throw new Error(`--${flag} must be a ${options.allowZero ? "non-negative" : "positive"} number of seconds, got ${JSON.stringify(raw)}`);
  }
  return n * 1000;
}

/** A service flag that counts something (workers, changes, failures); names the flag when the value is bad. */
export function countFlag(config: ServiceConfig, flag: string): number {
  const raw = config.extra[flag];
  const n = Number(raw);
  if (raw === undefined || raw === "" || !Number.isInteger(n) || n < 1)
    throw new Error(`--${flag} must be a positive integer, got ${JSON.stringify(raw)}`);
  return n;
}
