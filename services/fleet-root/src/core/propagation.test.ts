import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import type { FederatedDeploymentSpec } from "@spillway/api";
import type { LiveDeployment } from "./live-deployment.ts";
import { decidePropagation, memberOrder, type MemberView, type PropagationInput } from "./propagation.ts";

const spec: FederatedDeploymentSpec = {
  replicas: 12,
  selector: { matchLabels: { app: "web" } },
  template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "app:1" }] } },
  strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
};
const fd: PropagationInput["fd"] = { namespace: "shop", name: "web", generation: 1, spec };
const view = (name: string, extra: Partial<MemberView> = {}): MemberView => ({
  name,
  info: { name, labels: {} },
  ready: true,
  connected: true,
  synced: true,
  deployment: undefined,
  ...extra,
});

describe("memberOrder", () => {
  it("hands budget out in placement order, drained members last by name", () => {
    expect(
      memberOrder(
        [
          { name: "idc-2", replicas: 1 },
          { name: "idc-1", replicas: 1 },
        ],
        ["cloud-2", "idc-1", "cloud-1"],
      ),
    ).toEqual(["idc-2", "idc-1", "cloud-1", "cloud-2"]);
  });
});

describe("decidePropagation", () => {
  it("creates a member Deployment for every placed member, none for an unplaced one", () => {
    const d = decidePropagation({
      fd,
      placement: [
        { name: "idc-1", replicas: 8 },
        { name: "cloud-1", replicas: 4 },
      ],
      members: [view("idc-1"), view("cloud-1"), view("idc-2")],
    });
    const writes = d.rounds.flat().sort((a, b) => (a.cluster < b.cluster ? 1 : -1));
    expect(
      writes.map((w) => [w.cluster, w.action, w.action === "apply" && w.create, w.action === "apply" && w.object.spec.replicas]),
    ).toEqual([
      ["idc-1", "apply", true, 8],
      ["cloud-1", "apply", true, 4],
    ]);
  });

  it("writes nothing, and holds the status, while a Ready member that may hold pods is unseen", () => {
    const d = decidePropagation({
      fd,
      placement: [{ name: "idc-1", replicas: 12 }],
      members: [view("idc-1"), view("cloud-1", { synced: false })],
    });
    expect(d.unseen).toEqual(["cloud-1"]);
    expect(d.rounds.flat()).toEqual([]);
    expect(d.status).toBeUndefined();
  });

  it("reports (but does not wait on) an unseen member that is down", () => {
    const d = decidePropagation({
      fd,
      placement: [
        { name: "idc-1", replicas: 6 },
        { name: "cloud-1", replicas: 6 },
      ],
      members: [view("idc-1"), view("cloud-1", { synced: false, ready: false })],
    });
    expect(d.unseen).toEqual(["cloud-1"]);
    expect(d.rounds.flat()).toEqual([]);
    expect(d.status?.status.clusters?.find((c) => c.name === "cloud-1")?.reachable).toBe(false);
  });

  it("says it waits for the scheduler when there is no placement", () => {
    const d = decidePropagation({ fd, placement: undefined, members: [view("idc-1")] });
    expect(d.status?.conditions.find((c) => c.type === "Progressing")?.reason).toBe("WaitingForPlacement");
  });

  it("never writes to an unreachable member, and never both shrinks and grows shares in one round set (property)", () => {
    const live = fc.option(
      fc.record({
        replicas: fc.integer({ min: 0, max: 8 }),
        surge: fc.integer({ min: 0, max: 3 }),
        unavail: fc.integer({ min: 0, max: 3 }),
        paused: fc.boolean(),
        observed: fc.boolean(),
      }),
      { nil: undefined },
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.boolean(), live, fc.integer({ min: 0, max: 8 })), { minLength: 1, maxLength: 4 }),
        (ms) => {
          const members = ms.map(([ready, synced, l], i) => {
            const deployment: LiveDeployment | undefined = l && {
              metadata: {
                name: "web",
                namespace: "shop",
                generation: 2,
                labels: { "spillway.dev/managed-by": "fleet-root" },
                annotations: {},
              },
              spec: {
                replicas: l.replicas,
                paused: l.paused,
                strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: l.surge, maxUnavailable: l.unavail } },
              },
              status: { observedGeneration: l.observed ? 2 : 1, replicas: l.replicas, updatedReplicas: 0, availableReplicas: l.replicas },
            };
            return view(`m${i}`, { ready, synced, deployment });
          });
          const placement = ms.map(([, , , r], i) => ({ name: `m${i}`, replicas: r }));
          const d = decidePropagation({ fd, placement, members });
          const reachable = new Set(members.filter((m) => m.ready && m.synced).map((m) => m.name));
          for (const w of d.rounds.flat()) expect(reachable.has(w.cluster)).toBe(true);
          if (d.unseen.length) expect(d.rounds.flat()).toEqual([]);
          // The second round only runs when nothing in the first took a share away and every member observed its spec.
          if (d.rounds[1].length) expect(members.every((m) => !m.deployment || m.deployment.status!.observedGeneration === 2)).toBe(true);
        },
      ),
    );
  });
});
