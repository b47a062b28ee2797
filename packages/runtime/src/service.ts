/**
 * The process shell every Spillway service shares. It brings up logs, telemetry and the health
 * endpoint, connects to the host cluster and NATS, and campaigns for the service's Lease; the
 * service's controllers run only while this replica leads. Both replicas report ready once
 * connected, so the standby serves reads (gRPC) and takes over within one lease duration.
 * SIGTERM stops the controllers, releases the lease (so the standby need not wait for expiry) and
 * closes connections before exiting.
 */
import { VersionApi, type KubeConfig } from "@kubernetes/client-node";
import { Bus } from "@spillway/bus";
import { InformerFactory, LeaderElector, loadKubeConfig, retryWithBackoff, type RunnableController } from "@spillway/kit";
import { createLogger, errorFields, HealthServer, setupTelemetry, type Logger, type Telemetry } from "@spillway/telemetry";
import { parseConfig, usage, wantsHelp, type FlagSpec, type ServiceConfig } from "./config.ts";
import { instrumentControllers } from "./controller-metrics.ts";

export interface ServiceContext {
  config: ServiceConfig;
  log: Logger;
  telemetry: Telemetry;
  kubeConfig: KubeConfig;
  informers: InformerFactory;
  bus: Bus;
  health: HealthServer;
  isLeader: () => boolean;
}

/** What a service adds to the shell: controllers that run while leading, and its own cleanup. */
export interface ServiceParts {
  controllers?: RunnableController[];
  /** Work that runs on every replica (e.g. a gRPC server for reads). */
  start?: () => Promise<void>;
  /** Work only the leader does besides its controllers (e.g. publishing). */
  onStartedLeading?: () => Promise<void>;
  stop?: () => Promise<void>;
}

export async function runService(
  name: string,
  setup: (ctx: ServiceContext) => Promise<ServiceParts>,
  extraFlags: Record<string, FlagSpec> = {},
): Promise<void> {
  if (wantsHelp(process.argv.slice(2))) {
    process.stdout.write(usage(name, extraFlags));
    process.exit(0);
  }
  const log = createLogger(name);
  let config: ServiceConfig;
  try {
    config = parseConfig(name, process.argv.slice(2), process.env, extraFlags);
  } catch (err) {
    log.fatal(errorFields(err), "invalid configuration");
    process.exit(2);
  }
  const telemetry = setupTelemetry({ serviceName: `spillway-${name}`, otlpEndpoint: config.otlpEndpoint || undefined });
  const health = new HealthServer(telemetry.metricsHandler);
  const address = await health.listen(config.healthPort, config.healthHost);
  log.info({ addr: `${address.address}:${address.port}`, identity: config.identity }, "health endpoint listening");

  const kubeConfig = loadKubeConfig({ kubeconfig: config.kubeconfig || undefined, context: config.context || undefined });
  let hostReachable = false;
  health.addReadinessCheck("host-apiserver", () => hostReachable || "host cluster API not reached yet");
  await waitForHost(kubeConfig, log);
  hostReachable = true;

  const bus = await connectBus(config, log);
  health.addReadinessCheck("nats", () => !bus.connection.isClosed() || "NATS connection closed");

  const informers = new InformerFactory(kubeConfig);
  let leading = false;
  const leaderGauge = telemetry.meter.createObservableGauge("spillway_leader", {
    description: "1 while this replica holds the service's lease",
  });
  leaderGauge.addCallback((r) => r.observe(leading ? 1 : 0));

  const ctx: ServiceContext = { config, log, telemetry, kubeConfig, informers, bus, health, isLeader: () => leading };
  let parts: ServiceParts;
  try {
    parts = await setup(ctx);
    await informers.start();
    await parts.start?.();
  } catch (err) {
    log.fatal(errorFields(err), "start-up failed");
    process.exit(1);
  }

  const controllers = parts.controllers ?? [];
  instrumentControllers(telemetry.meter, controllers);
  let exiting = false;
  const elector = new LeaderElector(kubeConfig, {
    namespace: config.leaseNamespace,
    name: `spillway-${name}`,
    identity: config.identity,
    leaseDurationMs: config.leaseDurationMs,
    renewDeadlineMs: Math.floor(config.leaseDurationMs * (2 / 3)),
    retryPeriodMs: Math.max(500, Math.floor(config.leaseDurationMs / 7.5)),
    onStartedLeading: () => {
      leading = true;
      log.info({ identity: config.identity }, "became leader");
      for (const c of controllers)
        c.start().catch((err: unknown) => log.error({ controller: c.name, ...errorFields(err) }, "controller failed to start"));
      parts.onStartedLeading?.().catch((err: unknown) => log.error(errorFields(err), "leader start-up failed"));
    },
    onStoppedLeading: () => {
      leading = false;
      if (exiting) return;
      // Another replica may already be acting; stopping in-flight work and restarting clean is
      // the only way to be sure this one does not write on stale beliefs.
      log.error({ identity: config.identity }, "lost leadership; exiting so a clean process takes over");
      void shutdown(1);
    },
    onError: (err) => log.warn(errorFields(err), "leader election"),
  });
  elector.start();
  log.info({ lease: `${config.leaseNamespace}/spillway-${name}` }, "ready; campaigning for leadership");

  async function shutdown(code: number): Promise<void> {
    if (exiting) return;
    exiting = true;
    log.info({ code }, "shutting down");
    const force = setTimeout(() => process.exit(code || 1), 10_000);
    force.unref();
    await Promise.allSettled(controllers.map((c) => c.stop()));
    await elector.stop();
    await parts.stop?.().catch((err: unknown) => log.warn(errorFields(err), "service stop"));
    await informers.stop();
    await bus.close();
    await health.close();
    await telemetry.shutdown();
    log.info("stopped");
    process.exit(code);
  }
  process.once("SIGTERM", () => void shutdown(0));
  process.once("SIGINT", () => void shutdown(0));
}

/** Waits for the host API server, logging each failed try (the service is not ready meanwhile). */
async function waitForHost(kubeConfig: KubeConfig, log: Logger): Promise<void> {
  const api = kubeConfig.makeApiClient(VersionApi);
  const server = kubeConfig.getCurrentCluster()?.server;
  const v = await retryWithBackoff(
    () => api.getCode(),
    (err, retryInMs) => log.warn({ server, retryInMs, ...errorFields(err) }, "host cluster not reachable"),
  );
  log.info({ server, version: v.gitVersion }, "connected to host cluster");
}

async function connectBus(config: ServiceConfig, log: Logger): Promise<Bus> {
  const bus = await retryWithBackoff(
    () => Bus.connect({ servers: config.natsUrl, name: `spillway-${config.service}-${config.identity}` }),
    (err, retryInMs) => log.warn({ nats: config.natsUrl, retryInMs, ...errorFields(err) }, "NATS not reachable"),
  );
  log.info({ nats: config.natsUrl }, "connected to NATS");
  return bus;
}
