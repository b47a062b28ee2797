import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { fleetBudget, planRollout, type MemberObservation } from "./rollout-plan.ts";
import { complete, isAvailable, stepDeployment, type SimDeployment, type SimPod } from "./rollout-sim.ts";

const obs = (name: string, target: number, extra: Partial<MemberObservation> = {}): MemberObservation => ({
  name,
  target,
  reachable: true,
  specReplicas: target,
  pods: target,
  updated: target,
  available: target,
  templateCurrent: true,
  grantedSurge: 0,
  grantedUnavailable: 1,
  ...extra,
});

describe("planRollout", () => {
  it("rounds like a Deployment: maxSurge up, maxUnavailable down, on the federated total", () => {
    const members = [obs("a", 7), obs("b", 7), obs("c", 10)];
    expect(fleetBudget({ members, maxSurge: "25%", maxUnavailable: "25%", recreate: false })).toEqual({
      total: 24,
      surge: 6,
      unavailable: 6,
    });
    // 10% of 24: per member 0.7 / 0.7 / 1.0 would round to 1+1+1 surge and 0+0+1 unavailable.
    expect(fleetBudget({ members, maxSurge: "10%", maxUnavailable: "10%", recreate: false })).toEqual({
      total: 24,
      surge: 3,
      unavailable: 2,
    });
  });

  it("hands the whole budget to the first member with updates to make and pauses the rest", () => {
    const members = ["a", "b", "c"].map((n) => obs(n, 8, { updated: 0, templateCurrent: false }));
    const plan = planRollout({ members, maxSurge: 0, maxUnavailable: 1, recreate: false, paused: false });
    expect(plan.map((p) => [p.name, p.maxSurge, p.maxUnavailable, p.paused])).toEqual([
      ["a", 0, 1, false],
      ["b", 0, 1, true],
      ["c", 0, 1, true],
    ]);
  });

  it("lets a member keep what it already uses and gives only the rest away", () => {
    // a surged 2 pods already; S = 25% of 24 = 6, so 4 are free for b (which needs 8).
    const members = [
      obs("a", 8, { pods: 10, updated: 4, templateCurrent: true, grantedSurge: 2 }),
      obs("b", 8, { updated: 0, templateCurrent: false }),
      obs("c", 8),
    ];
    const plan = planRollout({ members, maxSurge: "25%", maxUnavailable: 0, recreate: false, paused: false });
    expect(plan.map((p) => [p.name, p.maxSurge])).toEqual([
      ["a", 6],
      ["b", 0],
      ["c", 0],
    ]);
  });

  it("never hands out more than the fleet budget, even when member status over-reports what is in use", () => {
    // Status shows 9 pods for 8 replicas in a and b (a new pod counted before the old one is gone);
    // with maxSurge 0 neither may be given a surge share on that reading.
    const members = [
      obs("a", 8, { pods: 9, updated: 3, templateCurrent: true }),
      obs("b", 8, { pods: 9, updated: 2, templateCurrent: true }),
      obs("c", 8, { updated: 0, templateCurrent: false }),
    ];
    const plan = planRollout({ members, maxSurge: 0, maxUnavailable: 1, recreate: false, paused: false });
    expect(plan.map((p) => p.maxSurge)).toEqual([0, 0, 0]);
    // maxSurge 1, held by a: a keeps it; b's reading is no claim on a share it was never given.
    members[0] = { ...members[0]!, grantedSurge: 1 };
    const surge = planRollout({ members, maxSurge: 1, maxUnavailable: 0, recreate: false, paused: false });
    expect(surge.map((p) => p.maxSurge)).toEqual([1, 0, 0]);
  });

  it("keeps a moving member's share until its status shows it settled, so a stale reading frees nothing", () => {
    // a's last old pod is deleted, but the old ReplicaSet's status still counts it as available.
    const members = [
      obs("a", 8, { pods: 9, updated: 8, available: 8, grantedUnavailable: 1 }),
      obs("b", 8, { updated: 0, templateCurrent: false, grantedUnavailable: 0 }),
    ];
    const stale = planRollout({ members, maxSurge: 0, maxUnavailable: 1, recreate: false, paused: false });
    expect(stale.map((p) => [p.name, p.maxUnavailable, p.paused])).toEqual([
      ["a", 1, false],
      ["b", 1, true],
    ]);
    // Fresh status: a is settled, and its share moves to b.
    members[0] = obs("a", 8, { grantedUnavailable: 1 });
    const fresh = planRollout({ members, maxSurge: 0, maxUnavailable: 1, recreate: false, paused: false });
    expect(fresh.find((p) => p.name === "b")).toMatchObject({ maxUnavailable: 1, paused: false });
  });

  it("counts an unreachable member's pods as unavailable, which holds the rollout", () => {
    const members = [obs("a", 8, { reachable: false }), obs("b", 8, { updated: 0, templateCurrent: false })];
    const plan = planRollout({ members, maxSurge: 0, maxUnavailable: 1, recreate: false, paused: false });
    expect(plan.find((p) => p.name === "b")).toMatchObject({ maxSurge: 0, paused: true });
  });

  it("drains a dropped member only as fast as the others' new pods become available", () => {
    const members = [
      obs("a", 0, { specReplicas: 8, pods: 8, updated: 8, available: 8 }),
      obs("b", 8, { specReplicas: 0, pods: 0, updated: 0, available: 0 }),
    ];
    const first = planRollout({ members, maxSurge: 1, maxUnavailable: 1, recreate: false, paused: false });
    // R = 8, S = 1, U = 1: b may grow by one pod (R + S), a may lose one available pod (R − U).
    expect(first.find((p) => p.name === "b")!.replicas).toBe(1);
    expect(first.find((p) => p.name === "a")!.replicas).toBe(7);
    const done = planRollout({
      members: [obs("a", 0, { specReplicas: 0, pods: 0, updated: 0, available: 0 }), obs("b", 8)],
      maxSurge: 1,
      maxUnavailable: 1,
      recreate: false,
      paused: false,
    });
    expect(done.find((p) => p.name === "a")!.remove).toBe(true);
  });
});

/** Steps a federated rollout and the single-Deployment reference; asserts the bounds at every tick. */
function simulate(
  targets: number[],
  maxSurge: number | string,
  maxUnavailable: number | string,
  delays: number[],
  lagEvery: number,
  stale: boolean[] = [false],
) {
  const R = targets.reduce((a, b) => a + b, 0);
  const { surge: S, unavailable: U } = fleetBudget({
    members: targets.map((t, i) => ({ ...obsFor(i, t) })),
    maxSurge,
    maxUnavailable,
    recreate: false,
  });
  let k = 0;
  const delay = () => delays[k++ % delays.length]!;
  const members: SimDeployment[] = targets.map((t) => ({
    replicas: t,
    maxSurge: 0,
    maxUnavailable: 1,
    paused: false,
    rev: 1,
    pods: Array.from({ length: t }, () => ({ rev: 0, availableAt: 0 })),
  }));
  const reference: SimDeployment = {
    replicas: R,
    maxSurge: S,
    maxUnavailable: U,
    paused: false,
    rev: 1,
    pods: Array.from({ length: R }, () => ({ rev: 0, availableAt: 0 })),
  };
  let passes = 0;
  // Pods removed since the last pass: a stale member status still counts them (the old
  // ReplicaSet's status is written after its pod is deleted), available or not as they were.
  const gone: SimPod[][] = members.map(() => []);
  let refDone = -1;
  let fedDone = -1;
  for (let now = 1; now < 2000; now++) {
    // fleet-root reconciles every `lagEvery` ticks from what it observes, like a controller that runs behind.
    if (now % lagEvery === 1 || lagEvery === 1) {
      passes++;
      const lagging = stale[passes % stale.length]!;
      const plan = planRollout({
        members: members.map((d, i) => {
          const seen = lagging ? [...d.pods, ...gone[i]!] : d.pods;
          return {
            name: `m${i}`,
            target: targets[i]!,
            reachable: true,
            specReplicas: d.replicas,
            pods: seen.length,
            updated: seen.filter((p) => p.rev === d.rev).length,
            available: seen.filter((p) => isAvailable(p, now)).length,
            templateCurrent: true,
            grantedSurge: d.paused ? 0 : d.maxSurge,
            grantedUnavailable: d.paused ? 0 : d.maxUnavailable,
          };
        }),
        maxSurge,
        maxUnavailable,
        recreate: false,
        paused: false,
      });
      gone.forEach((g) => g.splice(0));
      plan.forEach((p, i) =>
        Object.assign(members[i]!, { replicas: p.replicas, maxSurge: p.maxSurge, maxUnavailable: p.maxUnavailable, paused: p.paused }),
      );
    }
    members.forEach((d, i) => {
      const before = d.pods;
      stepDeployment(d, now, delay);
      gone[i]!.push(...before.filter((p) => !d.pods.includes(p)));
    });
    stepDeployment(reference, now, delay);
    const pods = members.reduce((s, d) => s + d.pods.length, 0);
    const available = members.reduce((s, d) => s + d.pods.filter((p) => isAvailable(p, now)).length, 0);
    expect(pods).toBeLessThanOrEqual(R + S);
    expect(available).toBeGreaterThanOrEqual(R - U);
    if (refDone < 0 && complete(reference, now)) refDone = now;
    if (fedDone < 0 && members.every((d) => complete(d, now))) fedDone = now;
    if (refDone > 0 && fedDone > 0) return { federated: fedDone, reference: refDone };
  }
  throw new Error("federated rollout did not finish in 2000 ticks");
}

function obsFor(i: number, t: number): MemberObservation {
  return obs(`m${i}`, t);
}

describe("federated rollout ≡ one Deployment (model)", () => {
  it("keeps Σ pods ≤ R + maxSurge and Σ available ≥ R − maxUnavailable at every step, and finishes (property)", () => {
    const budget = fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constantFrom("0%", "10%", "25%", "50%", "100%"));
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 2, maxLength: 6 }),
        budget,
        budget,
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 1, max: 3 }),
        // Which passes read stale member status; there is always a fresh reading again.
        fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }).map((a) => [...a, false]),
        (targets, maxSurge, maxUnavailable, delays, lag, stale) => {
          const R = targets.reduce((a, b) => a + b, 0);
          const { surge, unavailable } = fleetBudget({
            members: targets.map((t, i) => obsFor(i, t)),
            maxSurge,
            maxUnavailable,
            recreate: false,
          });
          fc.pre(R > 0 && surge + unavailable > 0); // both 0 is refused by validation
          const { federated, reference } = simulate(targets, maxSurge, maxUnavailable, delays, lag, stale);
          expect(federated).toBeGreaterThan(0);
          expect(reference).toBeGreaterThan(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it.each([
    ["maxUnavailable 1, maxSurge 0", 0, 1],
    ["maxSurge 25%, maxUnavailable 0", "25%", 0],
  ] as const)("24 replicas over 3 members with %s take about as long as one Deployment", (_name, surge, unavailable) => {
    const { federated, reference } = simulate([8, 8, 8], surge, unavailable, [2, 3, 2, 4], 1);
    expect(federated / reference).toBeLessThanOrEqual(1.25);
  });
});
