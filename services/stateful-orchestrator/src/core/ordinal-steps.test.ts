import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { step, type MemberHolding, type Range, type StepInput } from "./ordinal-steps.ts";
import { claimReleases, staleOrdinals } from "./stale-holdings.ts";
import { memberPartition, partitions } from "./rollout-order.ts";

/**
 * A member as its StatefulSet controller and kwok make it behave, one tick at a time: pods
 * outside the spec range start terminating and are gone a tick later; missing pods of the range
 * are created (OrderedReady: the lowest missing one, once every lower pod of the range is
 * Ready), each on its ordinal's claim there, made first where there is none (as a StatefulSet
 * does); a created pod is Ready a tick later.
 */
interface SimMember {
  name: string;
  spec: Range | undefined;
  pods: Map<number, { ready: boolean; terminating: boolean; createdMs: number }>;
  /** Claims by ordinal: when made, and a serial unique fleet-wide. */
  claims: Map<number, { createdMs: number; serial: number }>;
  reachable: boolean;
  /** Fenced: holds nothing to the orchestrator, and nothing of it is seen. */
  gone?: boolean;
}

let clock = 0;
/** The serial of the newest claim ever made of each ordinal, in any member. */
const newestClaim = new Map<number, number>();

function startPod(m: SimMember, k: number): void {
  const claim = m.claims.get(k);
  if (claim && claim.serial !== newestClaim.get(k))
    throw new Error(`ordinal ${k} started in ${m.name} on a claim older than one it had elsewhere`);
  if (!claim) {
    const serial = ++clock;
    m.claims.set(k, { createdMs: serial, serial });
    newestClaim.set(k, serial);
  }
  m.pods.set(k, { ready: false, terminating: false, createdMs: ++clock });
}

function tick(m: SimMember, orderedReady: boolean): void {
  for (const [k, p] of [...m.pods]) {
    if (p.terminating) m.pods.delete(k);
    else if (!m.spec || k < m.spec.start || k >= m.spec.start + m.spec.count) p.terminating = true;
    else p.ready = true;
  }
  if (!m.spec) return;
  for (let k = m.spec.start; k < m.spec.start + m.spec.count; k++) {
    if (m.pods.has(k)) {
      if (orderedReady && !m.pods.get(k)!.ready) return;
      continue;
    }
    startPod(m, k);
    if (orderedReady) return;
  }
}

const podList = (m: SimMember) => [...m.pods].map(([ordinal, p]) => ({ ordinal, createdMs: p.createdMs }));
const claimList = (m: SimMember) =>
  [...m.claims].map(([ordinal, c]) => ({ ordinal, createdMs: c.createdMs, name: `data-db-${ordinal}`, terminating: false }));
const staleOf = (members: SimMember[]) =>
  staleOrdinals(members.filter((m) => !m.gone).map((m) => ({ name: m.name, spec: m.spec, pods: podList(m), claims: claimList(m) })));
const holdings = (members: SimMember[]): MemberHolding[] => {
  const stale = staleOf(members);
  return members.map((m) => ({
    name: m.name,
    spec: m.spec,
    pods: [...m.pods.keys()],
    available: [...m.pods].filter(([, p]) => p.ready && !p.terminating).map(([k]) => k),
    claims: [...m.claims.keys()],
    stale: [...(stale.get(m.name) ?? [])],
    reachable: m.reachable,
    gone: !!m.gone,
  }));
};
const holding = (m: SimMember): MemberHolding => holdings([m])[0]!;

/**
 * Every ordinal is in at most one member's spec-or-pods, and its claims in at most one member,
 * fenced members aside (what they left behind is judged by `startPod`): the invariants, checked
 * at every state.
 */
function assertOnePlace(members: SimMember[]): void {
  const seen = new Map<number, string>();
  const claimed = new Map<number, string>();
  const stale = staleOf(members);
  for (const m of members.filter((x) => !x.gone)) {
    for (const k of m.claims.keys()) {
      if (stale.get(m.name)?.has(k)) continue;
      if (claimed.has(k)) throw new Error(`ordinal ${k} has claims in ${claimed.get(k)} and ${m.name}`);
      claimed.set(k, m.name);
    }
  }
  for (const m of members.filter((x) => !x.gone)) {
    const held = new Set([...m.pods.keys()]);
    if (m.spec) for (let k = m.spec.start; k < m.spec.start + m.spec.count; k++) held.add(k);
    for (const k of held) {
      if (stale.get(m.name)?.has(k)) continue;
      if (seen.has(k)) throw new Error(`ordinal ${k} held by ${seen.get(k)} and ${m.name}`);
      seen.set(k, m.name);
    }
  }
}

/** Steps and ticks until the members hold the desired ranges, checking the invariant after each change. */
function converge(members: SimMember[], desired: StepInput["desired"], orderedReady: boolean, moveBudget = 1, maxRounds = 400): number {
  for (let round = 0; round < maxRounds; round++) {
    const held = holdings(members);
    const steps = step({ desired, members: held, orderedReady, moveBudget });
    const owner = new Map(desired.flatMap((d) => Array.from({ length: d.count }, (_, i) => [d.start + i, d.cluster] as const)));
    const releases = claimReleases({
      members: members.map((m) => ({
        name: m.name,
        spec: m.spec,
        next: steps.get(m.name)?.next,
        pods: podList(m),
        claims: claimList(m),
        writable: m.reachable && !m.gone,
      })),
      owner,
      stale: staleOf(members),
    });
    for (const m of members) {
      const next = steps.get(m.name)?.next;
      if (next) m.spec = next;
      assertOnePlace(members);
    }
    for (const r of releases) members.find((m) => m.name === r.cluster)!.claims.delete(r.ordinal);
    for (const m of members.filter((x) => !x.gone)) {
      tick(m, orderedReady);
      assertOnePlace(members);
    }
    const settled = desired.every((d) => {
      const m = members.find((x) => x.name === d.cluster)!;
      return (
        m.spec?.start === d.start && m.spec.count === d.count && [...m.pods].filter(([, p]) => p.ready && !p.terminating).length === d.count
      );
    });
    const strays = members.some(
      (m) => !m.gone && !desired.some((d) => d.cluster === m.name) && (m.pods.size > 0 || (m.spec?.count ?? 0) > 0),
    );
    const leftBehind = [...staleOf(members).values()].some((x) => x.size > 0);
    if (settled && !strays && !leftBehind) return round;
  }
  throw new Error(`did not converge: ${JSON.stringify(members.map((m) => [m.name, m.spec, [...m.pods.keys()]]))}`);
}

const fleet = (...names: string[]): SimMember[] =>
  names.map((name) => ({ name, spec: undefined, pods: new Map(), claims: new Map(), reachable: true }));

/** idc-2 holding 0-1 and cloud-1 2-3, settled (OrderedReady). */
function twoAndTwo(): SimMember[] {
  const members = fleet("idc-2", "cloud-1");
  converge(
    members,
    [
      { cluster: "idc-2", start: 0, count: 2 },
      { cluster: "cloud-1", start: 2, count: 2 },
    ],
    true,
  );
  return members;
}

describe("ordinal steps", () => {
  it("creates the fleet in ordinal order across members under OrderedReady (idc-2 starts once 0-7 are Ready)", () => {
    const members = fleet("idc-1", "idc-2");
    const desired = [
      { cluster: "idc-1", start: 0, count: 8 },
      { cluster: "idc-2", start: 8, count: 4 },
    ];
    const first = step({ desired, members: members.map(holding), orderedReady: true, moveBudget: 1 });
    expect(first.get("idc-1")!.next).toEqual({ start: 0, count: 8 });
    expect(first.get("idc-2")!.next).toEqual({ start: 8, count: 0 });
    expect(first.get("idc-2")!.waiting).toMatch(/ordinal 8 starts once ordinal 0 is Ready \(OrderedReady\)/);
    expect(converge(members, desired, true)).toBeGreaterThan(8);
  });

  it("moves an ordinal at a range edge only after its pod is gone from the source", () => {
    const members = twoAndTwo();
    const desired = [
      { cluster: "idc-2", start: 0, count: 3 },
      { cluster: "cloud-1", start: 3, count: 1 },
    ];
    const s = step({ desired, members: members.map(holding), orderedReady: true, moveBudget: 1 });
    expect(s.get("cloud-1")!.next).toEqual({ start: 3, count: 1 });
    expect(s.get("idc-2")!.next).toEqual({ start: 0, count: 2 });
    expect(s.get("idc-2")!.waiting).toMatch(/ordinal 2 is still held by cloud-1/);
    converge(members, desired, true);
  });

  it("keeps an unreachable member's ordinals where they are, and moves them once it is gone", () => {
    const members = fleet("idc-1", "idc-2");
    converge(members, [{ cluster: "idc-2", start: 0, count: 3 }], true);
    members[1]!.reachable = false;
    const desired = [{ cluster: "idc-1", start: 0, count: 3 }];
    const s = step({ desired, members: members.map(holding), orderedReady: true, moveBudget: 1 });
    expect(s.get("idc-1")!.next!.count).toBe(0);
    expect(s.get("idc-2")!.next).toBeUndefined();
    const fenced = step({
      desired,
      members: members.map((m) => ({ ...holding(m), gone: m.name === "idc-2" })),
      orderedReady: true,
      moveBudget: 1,
    });
    expect(fenced.get("idc-1")!.next).toEqual({ start: 0, count: 3 });
  });

  it("deletes a moved ordinal's claim in the member it left before it starts in the next, never reusing an old one", () => {
    const members = twoAndTwo();
    const [idc2, cloud1] = members as [SimMember, SimMember];
    expect([...cloud1.claims.keys()]).toEqual([2, 3]);
    // Ordinal 2's pod gone from cloud-1, its claim still there: idc-2 waits for the claim.
    cloud1.spec = { start: 3, count: 1 };
    cloud1.pods.delete(2);
    const desired = [
      { cluster: "idc-2", start: 0, count: 3 },
      { cluster: "cloud-1", start: 3, count: 1 },
    ];
    const s = step({ desired, members: holdings(members), orderedReady: true, moveBudget: 1 });
    expect(s.get("idc-2")!.next).toEqual({ start: 0, count: 2 });
    expect(s.get("idc-2")!.waiting).toBe("ordinal 2's volume claim in cloud-1 goes first");
    converge(members, desired, true);
    expect([...idc2.claims.keys()].sort()).toEqual([0, 1, 2]);
    expect([...cloud1.claims.keys()]).toEqual([3]);
    // Scaled away, an ordinal keeps its claim where it ran (whenScaled: Retain) and gets it back there.
    const before = cloud1.claims.get(3)!.serial;
    converge(members, [{ cluster: "idc-2", start: 0, count: 3 }], true);
    expect(cloud1.claims.get(3)!.serial).toBe(before);
    converge(members, desired, true);
    expect(cloud1.claims.get(3)!.serial).toBe(before);
  });

  it("a fenced member come back gives up what ran elsewhere meanwhile, pods then claims, before taking any ordinal back", () => {
    const members = fleet("idc-1", "idc-2", "cloud-1");
    const [, idc2, cloud1] = members as [SimMember, SimMember, SimMember];
    const home = [
      { cluster: "idc-1", start: 0, count: 2 },
      { cluster: "idc-2", start: 2, count: 2 },
      { cluster: "cloud-1", start: 4, count: 1 },
    ];
    converge(members, home, false);
    // Fenced: its pods and claims stay behind the cut; 2-3 start in cloud-1 on new claims.
    idc2.gone = true;
    const away = [
      { cluster: "idc-1", start: 0, count: 2 },
      { cluster: "cloud-1", start: 2, count: 3 },
    ];
    converge(members, away, false);
    expect([...cloud1.claims.keys()].sort()).toEqual([2, 3, 4]);
    expect([...idc2.pods.keys()]).toEqual([2, 3]);
    // Back, and failed back at once: idc-2's own old range is stale, and goes first.
    idc2.gone = false;
    const s = step({ desired: home, members: holdings(members), orderedReady: false, moveBudget: 1 });
    expect(s.get("idc-2")!.next!.count).toBe(0);
    expect(s.get("idc-2")!.waiting).toBe("gives up ordinals 2,3 first: they ran elsewhere while it was fenced");
    expect(s.get("cloud-1")!.next).toEqual({ start: 2, count: 3 });
    expect(s.get("cloud-1")!.waiting).toBe("ordinal 2 stays until idc-2 has given up what it left behind");
    // startPod throws if idc-2 ever starts 2 or 3 on the claims it left behind.
    converge(members, home, false);
    expect([...idc2.pods.keys()].sort()).toEqual([2, 3]);
    for (const k of [2, 3]) expect(idc2.claims.get(k)!.serial).toBe(newestClaim.get(k));
    expect([...cloud1.claims.keys()]).toEqual([4]);
  });

  it("scales down from the top of the fleet: a lower member shrinks only after the higher ordinals are gone", () => {
    const members = fleet("idc-2", "cloud-1");
    converge(
      members,
      [
        { cluster: "idc-2", start: 0, count: 3 },
        { cluster: "cloud-1", start: 3, count: 2 },
      ],
      true,
    );
    const desired = [{ cluster: "idc-2", start: 0, count: 2 }];
    const s = step({ desired, members: members.map(holding), orderedReady: true, moveBudget: 1 });
    expect(s.get("cloud-1")!.next!.count).toBe(0);
    expect(s.get("idc-2")!.next).toEqual({ start: 0, count: 3 });
    expect(s.get("idc-2")!.waiting).toMatch(/ordinal 2 leaves after the higher ordinals have/);
    converge(members, desired, true);
  });

  it("property: for random placements in sequence, no ordinal is ever held by two members, and every placement is reached", () => {
    const names = ["a", "b", "c", "d"];
    const placement = fc
      .tuple(
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 12 }),
        fc.shuffledSubarray(names, { minLength: 1 }),
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 4, maxLength: 4 }),
      )
      .map(([base, replicas, order, weights]) => {
        const ranges: StepInput["desired"] = [];
        let k = base;
        let left = replicas;
        order.forEach((cluster, i) => {
          const count = i === order.length - 1 ? left : Math.min(left, weights[i]!);
          if (count > 0) ranges.push({ cluster, start: k, count });
          k += count;
          left -= count;
        });
        return ranges;
      });
    fc.assert(
      fc.property(
        fc.array(placement, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 3 }),
        (sequence, orderedReady, budget) => {
          const members = fleet(...names);
          for (const desired of sequence) converge(members, desired, orderedReady, budget);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("property: with members fenced and coming back between placements, no ordinal starts on a claim older than one it had elsewhere", () => {
    const names = ["a", "b", "c"];
    const placement = fc
      .tuple(fc.integer({ min: 1, max: 6 }), fc.shuffledSubarray(names, { minLength: 1 }), fc.integer({ min: 1, max: 4 }))
      .map(([replicas, order, share]) => {
        const ranges: StepInput["desired"] = [];
        let k = 0;
        order.forEach((cluster, i) => {
          const count = i === order.length - 1 ? replicas - k : Math.min(replicas - k, share);
          if (count > 0) ranges.push({ cluster, start: k, count });
          k += count;
        });
        return ranges;
      });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(placement, fc.option(fc.constantFrom(...names), { nil: undefined })), { minLength: 1, maxLength: 5 }),
        fc.boolean(),
        (sequence, orderedReady) => {
          const members = fleet(...names);
          let fencedBefore: string | undefined;
          for (const [desired, wanted] of sequence) {
            // A fenced member is left out of the placement; the one fenced before comes back, with
            // every member live for a placement before the next fence: a copy in a member fenced
            // when an older one comes back is lost by the user's word (README, "volume claims").
            const fence = fencedBefore ? undefined : wanted;
            fencedBefore = fence;
            for (const m of members) m.gone = m.name === fence;
            const placed = desired.filter((d) => d.cluster !== fence);
            const owned = placed.reduce((n, d) => n + d.count, 0);
            if (fence && owned < desired.reduce((n, d) => n + d.count, 0)) continue;
            converge(members, placed, orderedReady);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("rollout order", () => {
  it("translates the global partition into each member's range exactly", () => {
    expect(memberPartition(10, { start: 0, count: 8 })).toBe(8);
    expect(memberPartition(10, { start: 8, count: 8 })).toBe(2);
    expect(memberPartition(10, { start: 16, count: 4 })).toBe(0);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 20 }), (p, start, count) => {
        const q = memberPartition(p, { start, count });
        // Exactly the member's ordinals ≥ p are at or above its own partition.
        for (let k = start; k < start + count; k++) expect(k - start >= q).toBe(k >= p);
      }),
    );
  });

  it("lets a member go only when every member above it is done", () => {
    const members = [
      { name: "idc-1", range: { start: 0, count: 8 }, done: false },
      { name: "idc-2", range: { start: 8, count: 8 }, done: false },
      { name: "cloud-1", range: { start: 16, count: 4 }, done: false },
    ];
    expect(Object.fromEntries(partitions(members, 10))).toEqual({ "cloud-1": 0, "idc-2": 8, "idc-1": 8 });
    members[2]!.done = true;
    expect(Object.fromEntries(partitions(members, 10))).toEqual({ "cloud-1": 0, "idc-2": 2, "idc-1": 8 });
    members[1]!.done = true;
    expect(Object.fromEntries(partitions(members, 0))).toEqual({ "cloud-1": 0, "idc-2": 0, "idc-1": 0 });
  });
});
