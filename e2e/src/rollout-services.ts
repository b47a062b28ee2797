/**
 * What a rollout test runs against: cluster-gateway, the scheduler and fleet-root as real
 * processes (fleet-root restartable, to kill it mid-rollout), a namespace for the workloads, and
 * clean-up after each test (workloads deleted, member Deployments gone) and at the end.
 */
import { afterAll, afterEach, beforeAll } from "@jest/globals";
import { federatedDeploymentKind, type FederatedDeployment } from "@spillway/api";
import { ResourceClient } from "@spillway/kit";
import { kubeConfigFor, type ClusterRole } from "./env.ts";
import { createNamespace, deleteNamespace, eventually, uniqueName } from "./helpers.ts";
import { freePort, startService, stop, waitReady, type RunningService } from "./service-process.ts";

export const MEMBERS: ClusterRole[] = ["idc-1", "idc-2", "cloud-1"];

export function rolloutServices(prefix: string, schedulerArgs: string[]) {
  const fds = new ResourceClient<FederatedDeployment>(kubeConfigFor("host"), federatedDeploymentKind);
  const ns = uniqueName(`e2e-${prefix}`);
  const leaseNs = uniqueName(`e2e-${prefix}-lease`);
  const procs: RunningService[] = [];
  let fleetRoot: RunningService | undefined;
  let scheduler: RunningService | undefined;

  const startFleetRoot = async (id: string) => {
    const p = await startService("fleet-root", id, [`--lease-namespace=${leaseNs}`, "--lease-duration=3"]);
    await waitReady(p);
    return p;
  };

  beforeAll(async () => {
    await createNamespace("host", ns);
    await createNamespace("host", leaseNs);
    const gwPort = await freePort();
    const gw = await startService("cluster-gateway", `${prefix}-gw`, [
      `--lease-namespace=${leaseNs}`,
      `--grpc-addr=127.0.0.1:${gwPort}`,
      "--hold-down=2",
    ]);
    const sched = await startService("scheduler", `${prefix}-sched`, [
      `--lease-namespace=${leaseNs}`,
      `--gateway-addr=127.0.0.1:${gwPort}`,
      ...schedulerArgs,
    ]);
    procs.push(gw, sched);
    scheduler = sched;
    await Promise.all(procs.map((p) => waitReady(p, 60_000)));
    fleetRoot = await startFleetRoot(`${prefix}-fr-1`);
  });

  afterEach(async () => {
    for (const fd of (await fds.list()).items.filter((i) => i.metadata.namespace === ns))
      await fds.delete({ namespace: ns, name: fd.metadata.name! });
    await eventually(
      "federated deployments gone (members cleaned up)",
      async () => ((await fds.list()).items.some((i) => i.metadata.namespace === ns) ? undefined : true),
      60_000,
    );
  });

  afterAll(async () => {
    await Promise.all([...procs, ...(fleetRoot ? [fleetRoot] : [])].map((p) => stop(p)));
    await deleteNamespace("host", ns);
    await deleteNamespace("host", leaseNs);
    for (const m of MEMBERS) await deleteNamespace(m, ns);
  });

  return {
    fds,
    ns,
    leaseNs,
    /** host:port of the scheduler's gRPC server (Scheduler.Simulate). */
    schedulerAddr: () => scheduler!.grpcAddr,
    /** The fleet-root running now. */
    fleetRoot: () => fleetRoot!,
    /** Kills fleet-root as a crash would. */
    killFleetRoot: () => stop(fleetRoot!, "SIGKILL"),
    /** Starts a new fleet-root as `id` (after a kill). */
    startFleetRoot: async (id: string) => (fleetRoot = await startFleetRoot(id)),
  };
}
