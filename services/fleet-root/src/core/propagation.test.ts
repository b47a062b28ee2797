import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import type { FederatedDeploymentSpec } from "@spillway/api";
import type { LiveDeployment } from "./live-deployment.ts";
import { decidePropagation, memberOrder, type MemberRoom, type MemberView, type PropagationInput } from "./propagation.ts";

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
  fenced: false,
  connected: true,
  synced: true,
  deployment: undefined,
  lookup: "absent",
  ...extra,
});

/** Decides at time 0 for `fd` unless told otherwise; placements written as `{ member: replicas }`. */
const decide = ({
  placement,
  ...rest
}: Omit<PropagationInput, "nowMs" | "fd" | "placement"> & {
  placement: Record<string, number> | undefined;
  nowMs?: number;
  fd?: PropagationInput["fd"];
}) =>
  decidePropagation({
    nowMs: 0,
    fd,
    ...rest,
    placement: placement && Object.entries(placement).map(([name, replicas]) => ({ name, replicas })),
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

/** What a member write hands its member: whether it is paused, and its surge share. */
const pausedAndSurge = (w: ReturnType<typeof decide>["rounds"][number][number]) =>
  w.action === "apply"
    ? [w.cluster, w.object.spec.paused, (w.object.spec.strategy as { rollingUpdate?: { maxSurge?: number } }).rollingUpdate?.maxSurge]
    : [w.cluster, w.action];

describe("decidePropagation", () => {
  it("creates a member Deployment for every placed member, none for an unplaced one", () => {
    const d = decide({
      placement: { "idc-1": 8, "cloud-1": 4 },
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
    const d = decide({
      placement: { "idc-1": 12 },
      members: [view("idc-1"), view("cloud-1", { synced: false })],
    });
    expect(d.unseen).toEqual(["cloud-1"]);
    expect(d.rounds.flat()).toEqual([]);
    expect(d.status).toBeUndefined();
  });

  it("reports (but does not wait on) an unseen member that is down", () => {
    const d = decide({
      placement: { "idc-1": 6, "cloud-1": 6 },
      members: [view("idc-1"), view("cloud-1", { synced: false, ready: false })],
    });
    expect(d.unseen).toEqual(["cloud-1"]);
    expect(d.rounds.flat()).toEqual([]);
    expect(d.status?.status.clusters?.find((c) => c.name === "cloud-1")?.reachable).toBe(false);
  });

  it("says on each write that changes a member's size what it scaled, from and to, and on a removal where from", () => {
    const settled = (replicas: number): LiveDeployment => ({
      metadata: { name: "web", namespace: "shop", generation: 1, labels: { "spillway.dev/managed-by": "fleet-root" }, annotations: {} },
      spec: { replicas, strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } } },
      status: { observedGeneration: 1, replicas, updatedReplicas: replicas, availableReplicas: replicas },
    });
    const created = decide({ placement: { "idc-1": 8, "cloud-1": 4 }, members: [view("idc-1"), view("cloud-1")] });
    expect(created.rounds.flat().map((w) => w.scaled)).toEqual(
      expect.arrayContaining([
        { cluster: "idc-1", from: "0", to: "8", way: "up" },
        { cluster: "cloud-1", from: "0", to: "4", way: "up" },
      ]),
    );
    // idc-2 was drained and holds nothing: its Deployment goes. Replicas move from idc-1 to cloud-1.
    const moved = decide({
      fd: {
        ...fd,
        spec: { ...spec, replicas: 12, strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 4, maxUnavailable: 4 } } },
      },
      placement: { "idc-1": 6, "cloud-1": 6 },
      members: [
        view("idc-1", { deployment: settled(8) }),
        view("cloud-1", { deployment: settled(4) }),
        view("idc-2", { deployment: { ...settled(0), status: { observedGeneration: 1, replicas: 0 } } }),
      ],
    });
    const told = moved.rounds.flat().map((w) => [w.cluster, w.scaled ?? w.event?.note]);
    expect(told).toEqual(
      expect.arrayContaining([
        ["idc-1", { cluster: "idc-1", from: "8", to: "6", way: "down" }],
        ["cloud-1", { cluster: "cloud-1", from: "4", to: "6", way: "up" }],
        ["idc-2", "Removed member Deployment from idc-2: no replicas placed there"],
      ]),
    );
    // A write that changes only the budget share says nothing.
    expect(moved.rounds.flat().filter((w) => w.event || w.scaled).length).toBe(3);
  });

  it("says it waits for the scheduler when there is no placement", () => {
    const d = decide({ placement: undefined, members: [view("idc-1")] });
    expect(d.status?.conditions.find((c) => c.type === "Progressing")?.reason).toBe("WaitingForPlacement");
  });

  it("creates a new workload's member Deployments in one pass: nothing is taken from anyone", () => {
    const d = decide({
      placement: { a: 4, b: 4, c: 4 },
      members: [view("a"), view("b"), view("c")],
    });
    expect(d.rounds[0].map((w) => w.cluster).sort()).toEqual(["a", "b", "c"]);
    expect(d.rounds[1]).toEqual([]);
    expect(d.growDeferred).toBe(false);
  });

  it("starts a new workload in every member at once, as a new Deployment starts all its replicas: none paused, no surge, one write each", () => {
    const placement = { a: 4, b: 4, c: 4 };
    const d = decide({ placement, members: [view("a"), view("b"), view("c")] });
    const applies = d.rounds.flat().filter((w) => w.action === "apply");
    // Nothing old waits anywhere: no member is paused, and no pod beyond the replicas is allowed.
    expect(applies.map(pausedAndSurge)).toEqual([
      ["a", false, 0],
      ["b", false, 0],
      ["c", false, 0],
    ]);
    // Each member, once it has taken that write and made its pods, needs nothing more.
    const live = (w: (typeof applies)[number]): LiveDeployment => ({
      ...w.object,
      metadata: { ...w.object.metadata, generation: 1 },
      status: { observedGeneration: 1, replicas: 4, updatedReplicas: 4, availableReplicas: 4 },
    });
    const again = decide({ placement, members: applies.map((w) => view(w.cluster, { deployment: live(w), lookup: undefined })) });
    expect(again.rounds.flat()).toEqual([]);
  });

  it("treats a Deployment of ours the watch has not brought yet as one that may run old pods: written, but within the budget", () => {
    const d = decide({
      placement: { a: 4, b: 4 },
      members: [view("a", { lookup: "ours" }), view("b", { lookup: "ours" })],
    });
    const applies = d.rounds
      .flat()
      .filter((w) => w.action === "apply")
      .sort((x, y) => x.cluster.localeCompare(y.cluster));
    // maxSurge 1 is the fleet's whole surge budget: one member gets it, the other waits paused.
    expect(applies.map(pausedAndSurge)).toEqual([
      ["a", false, 1],
      ["b", true, 0],
    ]);
  });

  it("leaves someone else's Deployment alone and names the member; an unknown one waits", () => {
    const d = decide({
      placement: { "idc-1": 6, "cloud-1": 6 },
      members: [view("idc-1", { lookup: "failed" }), view("cloud-1", { lookup: "foreign" })],
    });
    expect(d.rounds.flat()).toEqual([]);
    expect(d.conflicts).toEqual(["cloud-1"]);
    expect(d.retrySoon).toBe(true);
  });

  describe("room for surge", () => {
    // A rollout in progress: every member runs 6 pods of the old template, maxSurge 1, maxUnavailable 0.
    const old = (name: string): MemberView =>
      view(name, {
        deployment: {
          metadata: { name: "web", namespace: "shop", generation: 1, labels: { "spillway.dev/managed-by": "fleet-root" }, annotations: {} },
          spec: { replicas: 6, paused: true, strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } } },
          status: { observedGeneration: 1, replicas: 6, updatedReplicas: 6, availableReplicas: 6 },
        },
      });
    const rolling = (room: PropagationInput["room"], nowMs = 0, since?: string) =>
      decide({
        nowMs,
        fd: { ...fd, status: since ? { waitingForRoomSince: since } : {} },
        placement: { "idc-1": 6, "cloud-1": 6 },
        members: [old("idc-1"), old("cloud-1")],
        room,
      });
    const surgeOf = (d: ReturnType<typeof decidePropagation>, cluster: string) => {
      const w = d.rounds.flat().find((x) => x.cluster === cluster);
      return w?.action === "apply" && !w.object.spec["paused"]
        ? (w.object.spec["strategy"] as { rollingUpdate: { maxSurge: number } }).rollingUpdate.maxSurge
        : 0;
    };
    const full: MemberRoom = { pods: 0, short: "needs 4 cpu per replica; largest free node has 0" };

    it("hands out no surge before the scheduler published room for this generation, and reports nothing stalled", () => {
      const d = rolling("unknown");
      expect([surgeOf(d, "idc-1"), surgeOf(d, "cloud-1")]).toEqual([0, 0]);
      expect(d.stalled).toEqual([]);
      expect(d.status!.status.stalledClusters).toBeUndefined();
    });

    it("gives the surge to the member with room and reports the full one stalled for the scheduler to lend", () => {
      const d = rolling(
        new Map([
          ["idc-1", full],
          ["cloud-1", { pods: 1 }],
        ]),
      );
      expect([surgeOf(d, "idc-1"), surgeOf(d, "cloud-1")]).toEqual([0, 1]);
      // The budget is all in use: nothing is left to lend.
      expect(d.status!.status.stalledClusters).toBeUndefined();
    });

    it("waits, saying what is short where, and reaches ProgressDeadlineExceeded after progressDeadlineSeconds", () => {
      const room = new Map([
        ["idc-1", full],
        ["cloud-1", full],
      ]);
      const first = rolling(room, Date.parse("2026-01-01T00:00:00Z"));
      expect(first.status!.status.stalledClusters).toEqual([
        { name: "idc-1", replicas: 1, placedReplicas: 6 },
        { name: "cloud-1", replicas: 1, placedReplicas: 6 },
      ]);
      expect(first.status!.status.waitingForRoomSince).toBe("2026-01-01T00:00:00.000Z");
      expect(first.status!.conditions.find((c) => c.type === "Progressing")).toEqual({
        type: "Progressing",
        status: "True",
        reason: "WaitingForRoom",
        message:
          "no eligible member has room for a pod of the new template: idc-1, cloud-1: needs 4 cpu per replica; largest free node has 0",
      });
      const since = "2026-01-01T00:00:00.000Z";
      const before = rolling(room, Date.parse(since) + 599_000, since);
      expect(before.status!.conditions.find((c) => c.type === "Progressing")!.reason).toBe("WaitingForRoom");
      const after = rolling(room, Date.parse(since) + 600_000, since);
      expect(after.status!.status.waitingForRoomSince).toBe(since);
      expect(after.status!.conditions.find((c) => c.type === "Progressing")).toMatchObject({
        status: "False",
        reason: "ProgressDeadlineExceeded",
        message: expect.stringMatching(
          /^rollout waited longer than 600s for room for a pod of the new template: idc-1, cloud-1: needs 4 cpu/,
        ),
      });
      // Room appears: the wait is over.
      const moving = rolling(
        new Map([
          ["idc-1", full],
          ["cloud-1", { pods: 1 }],
        ]),
        Date.parse(since) + 700_000,
        since,
      );
      expect(moving.status!.status.waitingForRoomSince).toBeUndefined();
      expect(moving.status!.conditions.find((c) => c.type === "Progressing")!.reason).toBe("ReplicaSetUpdated");
    });
  });

  it("never writes to an unreachable member, never gives budget in a pass that takes some away, nor before every member observed its spec (property)", () => {
    const live = fc.option(
      fc.record({
        replicas: fc.integer({ min: 0, max: 8 }),
        surge: fc.integer({ min: 0, max: 3 }),
        unavail: fc.integer({ min: 0, max: 3 }),
        paused: fc.boolean(),
        observed: fc.boolean(),
        updated: fc.integer({ min: 0, max: 8 }),
      }),
      { nil: undefined },
    );
    const grant = (
      spec:
        { paused?: boolean; strategy?: { rollingUpdate?: { maxSurge?: number | string; maxUnavailable?: number | string } } } | undefined,
    ) =>
      !spec || spec.paused
        ? [0, 0]
        : [Number(spec.strategy?.rollingUpdate?.maxSurge ?? 0), Number(spec.strategy?.rollingUpdate?.maxUnavailable ?? 0)];
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), fc.boolean(), live, fc.integer({ min: 0, max: 8 })), { minLength: 1, maxLength: 4 }),
        fc.constantFrom("app:1", "app:2"),
        (ms, image) => {
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
              status: {
                observedGeneration: l.observed ? 2 : 1,
                replicas: l.replicas,
                updatedReplicas: l.updated,
                availableReplicas: l.replicas,
              },
            };
            return view(`m${i}`, { ready, synced, deployment });
          });
          const placement = Object.fromEntries(ms.map(([, , , r], i) => [`m${i}`, r]));
          const template = { ...spec.template, spec: { containers: [{ name: "c", image }] } };
          const d = decide({ fd: { ...fd, spec: { ...spec, template } }, placement, members });
          const reachable = new Set(members.filter((m) => m.ready && m.synced).map((m) => m.name));
          for (const w of d.rounds.flat()) expect(reachable.has(w.cluster)).toBe(true);
          if (d.unseen.length) expect(d.rounds.flat()).toEqual([]);
          // A round that takes budget from a member (either part) is never followed, in the same
          // pass, by a write that gives budget; and nothing is given before every member observed its spec.
          const change = (ws: (typeof d.rounds)[0]) =>
            ws.flatMap((w) => {
              if (w.action !== "apply") return [];
              const m = members.find((x) => x.name === w.cluster)!;
              const [bs, bu] = grant(m.deployment?.spec);
              const [as, au] = grant(w.object.spec as never);
              return [{ takes: !!m.deployment && (as! < bs! || au! < bu!), gives: as! + au! > bs! + bu! }];
            });
          const all = change(d.rounds.flat());
          if (change(d.rounds[0]).some((c) => c.takes)) expect(all.some((c) => c.gives)).toBe(false);
          if (members.some((m) => m.deployment && m.deployment.status!.observedGeneration !== 2))
            expect(all.some((c) => c.gives)).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });
});
