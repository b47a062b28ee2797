import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { step, type MemberHolding, type Range, type StepInput } from "./ordinal-steps.ts";
import { memberPartition, partitions } from "./rollout-order.ts";

/**
 * A member as its StatefulSet controller and kwok make it behave, one tick at a time: pods
 * outside the spec range start terminating and are gone a tick later; missing pods of the range
 * are created (OrderedReady: the lowest missing one, once every lower pod of the range is
 * Ready); a created pod is Ready a tick later.
 */
interface SimMember {
  name: string;
  spec: Range | undefined;
  pods: Map<number, { ready: boolean; terminating: boolean }>;
  reachable: boolean;
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
    m.pods.set(k, { ready: false, terminating: false });
    if (orderedReady) return;
  }
}

const holding = (m: SimMember): MemberHolding => ({
  name: m.name,
  spec: m.spec,
  pods: [...m.pods.keys()],
  available: [...m.pods].filter(([, p]) => p.ready && !p.terminating).map(([k]) => k),
  reachable: m.reachable,
  gone: false,
});

/** Every ordinal is in at most one member's spec-or-pods: the invariant, checked at every state. */
function assertOnePlace(members: SimMember[]): void {
  const seen = new Map<number, string>();
  for (const m of members) {
    const held = new Set([...m.pods.keys()]);
    if (m.spec) for (let k = m.spec.start; k < m.spec.start + m.spec.count; k++) held.add(k);
    for (const k of held) {
      if (seen.has(k)) throw new Error(`ordinal ${k} held by ${seen.get(k)} and ${m.name}`);
      seen.set(k, m.name);
    }
  }
}

/** Steps and ticks until the members hold the desired ranges, checking the invariant after each change. */
function converge(members: SimMember[], desired: StepInput["desired"], orderedReady: boolean, moveBudget = 1, maxRounds = 400): number {
  for (let round = 0; round < maxRounds; round++) {
    const steps = step({ desired, members: members.map(holding), orderedReady, moveBudget });
    for (const m of members) {
      const next = steps.get(m.name)?.next;
      if (next) m.spec = next;
      assertOnePlace(members);
    }
    for (const m of members) {
      tick(m, orderedReady);
      assertOnePlace(members);
    }
    const settled = desired.every((d) => {
      const m = members.find((x) => x.name === d.cluster)!;
      return (
        m.spec?.start === d.start && m.spec.count === d.count && [...m.pods].filter(([, p]) => p.ready && !p.terminating).length === d.count
      );
    });
    const strays = members.some((m) => !desired.some((d) => d.cluster === m.name) && (m.pods.size > 0 || (m.spec?.count ?? 0) > 0));
    if (settled && !strays) return round;
  }
  throw new Error(`did not converge: ${JSON.stringify(members.map((m) => [m.name, m.spec, [...m.pods.keys()]]))}`);
}

const fleet = (...names: string[]): SimMember[] => names.map((name) => ({ name, spec: undefined, pods: new Map(), reachable: true }));

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
    const members = fleet("idc-2", "cloud-1");
    converge(
      members,
      [
        { cluster: "idc-2", start: 0, count: 2 },
        { cluster: "cloud-1", start: 2, count: 2 },
      ],
      true,
    );
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
