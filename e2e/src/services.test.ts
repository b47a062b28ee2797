/**
 * The five services as deployed processes: each connects to the host cluster and NATS, reports
 * ready, and exactly one replica of each leads; SIGTERM shuts a service down cleanly and hands the
 * lease over at once.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { CoordinationV1Api } from "@kubernetes/client-node";
import { kubeConfigFor } from "./env.ts";
import { createNamespace, deleteNamespace, eventually, uniqueName } from "./helpers.ts";
import { leaderGauge, SERVICES, startService, stop, waitReady, type RunningService } from "./service-process.ts";

describe("the five services", () => {
  const leaseNs = uniqueName("e2e-services");
  const running: RunningService[] = [];
  const leases = kubeConfigFor("host").makeApiClient(CoordinationV1Api);

  beforeAll(() => createNamespace("host", leaseNs));
  afterAll(async () => {
    await Promise.all(running.map((s) => stop(s, "SIGKILL")));
    await deleteNamespace("host", leaseNs);
  });

  it("start two replicas each, all ready, exactly one leader per service holding its Lease", async () => {
    // The scheduler is ready only once it receives snapshots, so it is pointed at the gateways.
    const gateways: string[] = [];
    for (const name of SERVICES) {
      for (const replica of ["a", "b"]) {
        const extra = name === "scheduler" ? [`--gateway-addr=${gateways.join(",")}`] : [];
        const s = await startService(name, `${name}-${replica}`, [`--lease-namespace=${leaseNs}`, "--lease-duration=4", ...extra]);
        if (name === "cluster-gateway") gateways.push(s.grpcAddr);
        running.push(s);
      }
    }
    await Promise.all(running.map((s) => waitReady(s)));
    for (const name of SERVICES) {
      const holder = await eventually(`lease spillway-${name} held`, async () => {
        const lease = await leases.readNamespacedLease({ namespace: leaseNs, name: `spillway-${name}` });
        return lease.spec?.holderIdentity || undefined;
      });
      const replicas = running.filter((s) => s.name === name);
      const gauges = await eventually(`${name}: gauges agree with the lease`, async () => {
        const g = await Promise.all(replicas.map(leaderGauge));
        return g.reduce((a, b) => a + b, 0) === 1 ? g : undefined;
      });
      expect(replicas[gauges.indexOf(1)]!.identity).toBe(holder);
    }
    for (const s of running) expect(s.output()).toContain('"msg":"connected to NATS"');
  });

  it("on SIGTERM the leader exits 0 and releases its lease, so the standby leads at once", async () => {
    const name = "fleet-root";
    const lease = await leases.readNamespacedLease({ namespace: leaseNs, name: `spillway-${name}` });
    const leader = running.find((s) => s.identity === lease.spec!.holderIdentity)!;
    const standby = running.find((s) => s.name === name && s !== leader)!;
    const held = (await leases.readNamespacedLease({ namespace: leaseNs, name: `spillway-${name}` })).spec!;
    expect(await stop(leader, "SIGTERM")).toBe(0);
    const taken = await eventually(
      "standby takes the lease",
      async () => {
        const l = await leases.readNamespacedLease({ namespace: leaseNs, name: `spillway-${name}` });
        return l.spec?.holderIdentity === standby.identity ? l.spec : undefined;
      },
      10_000,
      50,
    );
    // A released lease needs no expiry: by the Lease's own times, the standby acquired it before the
    // leader's last renewal would have run out.
    expect(new Date(taken.acquireTime!).getTime()).toBeLessThan(new Date(held.renewTime!).getTime() + held.leaseDurationSeconds! * 1000);
    expect(leader.output()).toContain('"msg":"stopped"');
  });
});
