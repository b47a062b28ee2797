/** Leader election over real HTTP against a FakeApiServer's Leases. */
import { afterEach, beforeEach, describe, expect, it } from "@jest/globals";
import { FakeApiServer } from "./testing/fake-api-server.ts";
import { LeaderElector } from "./leader-election.ts";
import { until } from "./testing/until.ts";

const LEASES = "/apis/coordination.k8s.io/v1/namespaces/ns/leases";

describe("LeaderElector", () => {
  let server: FakeApiServer;
  const electors: LeaderElector[] = [];
  beforeEach(async () => {
    server = await FakeApiServer.start();
  });
  afterEach(async () => {
    await Promise.all(electors.splice(0).map((e) => e.stop()));
    await server.stop();
  });

  const candidate = (identity: string, events: string[], renewDeadlineMs = 600) => {
    const e = new LeaderElector(server.kubeConfig(), {
      namespace: "ns",
      name: "svc",
      identity,
      leaseDurationMs: 1000,
      renewDeadlineMs,
      retryPeriodMs: 50,
      onStartedLeading: () => events.push(`+${identity}`),
      onStoppedLeading: () => events.push(`-${identity}`),
    });
    electors.push(e);
    return e;
  };

  /** a leads, then b campaigns too. */
  const leaderAndStandby = async (events: string[]) => {
    const a = candidate("a", events);
    const b = candidate("b", events);
    a.start();
    await until(() => a.isLeader, "a leads");
    b.start();
    return { a, b };
  };

  it("elects one of two candidates and keeps it while it renews", async () => {
    const events: string[] = [];
    const { b } = await leaderAndStandby(events);
    // Ten renewals: b tries every round and loses every one.
    const puts = () => server.requests.filter((r) => r.startsWith("PUT")).length;
    const start = puts();
    await until(() => puts() >= start + 10, "ten renewals");
    expect(events).toEqual(["+a"]);
    expect(b.isLeader).toBe(false);
  });

  it("hands over at once when the leader stops and releases the lease", async () => {
    const events: string[] = [];
    const { a, b } = await leaderAndStandby(events);
    const held = (server.list(LEASES).items[0] as unknown as { spec: { renewTime: string; leaseDurationSeconds: number } }).spec;
    await a.stop();
    await until(() => b.isLeader, "b takes over");
    // Released: b acquired the Lease before a's last renewal would have run out (the Lease's own times).
    const taken = (server.list(LEASES).items[0] as unknown as { spec: { acquireTime: string } }).spec;
    expect(Date.parse(taken.acquireTime)).toBeLessThan(Date.parse(held.renewTime) + held.leaseDurationSeconds * 1000);
    expect(events).toEqual(["+a", "-a", "+b"]);
    expect(server.list(LEASES).items[0]).toMatchObject({ spec: { holderIdentity: "b", leaseTransitions: 1 } });
  });

  it("steps down when it cannot renew within the renew deadline", async () => {
    const events: string[] = [];
    const a = candidate("a", events, 300);
    a.start();
    await until(() => a.isLeader, "a leads");
    server.failWith = 500;
    await until(() => !a.isLeader, "a steps down", 3000);
    expect(events).toEqual(["+a", "-a"]);
  });
});
