/**
 * Leader election against the real API server: two candidates, one leader; when the leader is
 * killed (no chance to release the lease) the other takes over within the lease duration.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { CoordinationV1Api } from "@kubernetes/client-node";
import { LeaderElector } from "@spillway/kit";
import { kubeConfigFor } from "./env.ts";
import { createNamespace, deleteNamespace, eventually, uniqueName } from "./helpers.ts";
import { leaderGauge, startService, stop, waitReady, type RunningService } from "./service-process.ts";

const LEASE_SECONDS = 4;

describe("leader election on a coordination.k8s.io Lease", () => {
  const ns = uniqueName("e2e-leader");
  const leases = kubeConfigFor("host").makeApiClient(CoordinationV1Api);
  const procs: RunningService[] = [];

  beforeAll(() => createNamespace("host", ns));
  afterAll(async () => {
    await Promise.all(procs.map((p) => stop(p, "SIGKILL")));
    await deleteNamespace("host", ns);
  });

  it("elects exactly one of two in-process candidates, never two at once", async () => {
    const kc = kubeConfigFor("host");
    const leading = new Set<string>();
    let overlap = false;
    const electors = ["x", "y"].map(
      (id) =>
        new LeaderElector(kc, {
          namespace: ns,
          name: "kit-test",
          identity: id,
          leaseDurationMs: 3000,
          renewDeadlineMs: 2000,
          retryPeriodMs: 200,
          onStartedLeading: () => {
            leading.add(id);
            if (leading.size > 1) overlap = true;
          },
          onStoppedLeading: () => leading.delete(id),
        }),
    );
    electors.forEach((e) => e.start());
    await eventually("a leader", async () => (leading.size === 1 ? true : undefined), 10_000, 50);
    // Several renewals by the leader, each a round the standby tried and lost.
    const renewals = new Set<string>();
    let holders = new Set<string>();
    await eventually(
      "five renewals of the lease",
      async () => {
        const l = await leases.readNamespacedLease({ namespace: ns, name: "kit-test" });
        renewals.add(String(l.spec?.renewTime?.toISOString?.() ?? l.spec?.renewTime));
        holders = new Set([...holders, l.spec!.holderIdentity!]);
        return renewals.size >= 5 ? true : undefined;
      },
      10_000,
      100,
    );
    expect(holders.size).toBe(1);
    expect(leading).toEqual(holders);
    expect(overlap).toBe(false);
    await Promise.all(electors.map((e) => e.stop()));
  });

  it("hands over once the killed leader's lease has run out, never before", async () => {
    for (const id of ["p1", "p2"])
      procs.push(await startService("fleet-root", id, [`--lease-namespace=${ns}`, `--lease-duration=${LEASE_SECONDS}`]));
    await Promise.all(procs.map((p) => waitReady(p)));
    const holder = await eventually("first leader", async () => {
      const l = await leases.readNamespacedLease({ namespace: ns, name: "spillway-fleet-root" }).catch(() => undefined);
      return l?.spec?.holderIdentity || undefined;
    });
    const leader = procs.find((p) => p.identity === holder)!;
    const standby = procs.find((p) => p !== leader)!;
    expect(await leaderGauge(standby)).toBe(0);

    // Every state of the Lease seen until the standby holds it: the killed leader's last renewal is
    // the last one naming it.
    let lastRenew = 0;
    let duration = 0;
    await stop(leader, "SIGKILL");
    const taken = await eventually(
      "standby holds the lease",
      async () => {
        const l = await leases.readNamespacedLease({ namespace: ns, name: "spillway-fleet-root" });
        if (l.spec?.holderIdentity === leader.identity) {
          lastRenew = new Date(l.spec.renewTime!).getTime();
          duration = l.spec.leaseDurationSeconds! * 1000;
        }
        return l.spec?.holderIdentity === standby.identity ? l.spec : undefined;
      },
      3 * LEASE_SECONDS * 1000,
      50,
    );
    // By the Lease's own times: not before the dead leader's lease ran out (never two leaders).
    expect(lastRenew).toBeGreaterThan(0);
    expect(new Date(taken.acquireTime!).getTime()).toBeGreaterThanOrEqual(lastRenew + duration);
    expect(await leaderGauge(standby)).toBe(1);
  });
});
