import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import {
  emptyHistory,
  normalize,
  recordScale,
  scaleDownLimit,
  scaleUpLimit,
  withDefaults,
  type Behavior,
  type History,
  type NormalizeInput,
} from "./scaling-behavior.ts";

const T0 = 1_000_000_000;
const run = (o: Partial<NormalizeInput> & Pick<NormalizeInput, "currentReplicas" | "proposed">) =>
  normalize({ minReplicas: 1, maxReplicas: 100, history: emptyHistory(), nowMs: T0, ...o });

describe("scaling behavior, as Kubernetes' horizontal controller", () => {
  it("defaults a set behavior as the API server does: up 4 pods or 100 % per 15 s, down 100 % per 15 s after a 300 s window", () => {
    expect(withDefaults({})).toEqual({
      scaleUp: {
        stabilizationWindowSeconds: 0,
        selectPolicy: "Max",
        policies: [
          { type: "Pods", value: 4, periodSeconds: 15 },
          { type: "Percent", value: 100, periodSeconds: 15 },
        ],
      },
      scaleDown: { stabilizationWindowSeconds: 300, selectPolicy: "Max", policies: [{ type: "Percent", value: 100, periodSeconds: 15 }] },
    });
  });

  it.each<[string, number, Behavior["scaleUp"], Array<[number, number]>, number]>([
    // name, current, rules, events [seconds ago, added], expected limit
    ["Max of 4 pods and 100 %", 10, withDefaults({}).scaleUp, [], 20],
    ["Max with a small fleet: 4 pods beat 100 %", 1, withDefaults({}).scaleUp, [], 5],
    [
      "Min picks the smaller",
      10,
      {
        selectPolicy: "Min",
        policies: [
          { type: "Pods", value: 4, periodSeconds: 60 },
          { type: "Percent", value: 100, periodSeconds: 60 },
        ],
      },
      [],
      14,
    ],
    ["replicas added within the period count against it", 10, { policies: [{ type: "Pods", value: 4, periodSeconds: 60 }] }, [[30, 3]], 11],
    ["older events do not", 10, { policies: [{ type: "Pods", value: 4, periodSeconds: 60 }] }, [[90, 3]], 14],
    ["Percent rounds up", 3, { policies: [{ type: "Percent", value: 50, periodSeconds: 60 }] }, [], 5],
    ["Disabled: no scale-up at all", 10, { selectPolicy: "Disabled", policies: [{ type: "Pods", value: 4, periodSeconds: 60 }] }, [], 10],
  ])("scale-up limit: %s", (_n, current, rules, events, limit) => {
    expect(
      scaleUpLimit(
        current,
        events.map(([ago, change]) => ({ atMs: T0 - ago * 1000, change })),
        { selectPolicy: "Max", ...rules },
        T0,
      ),
    ).toBe(limit);
  });

  it.each<[string, number, Behavior["scaleDown"], Array<[number, number]>, number]>([
    ["100 % per period: down to 0", 10, withDefaults({}).scaleDown, [], 0],
    ["Percent truncates", 7, { policies: [{ type: "Percent", value: 10, periodSeconds: 60 }] }, [], 6],
    [
      "Max picks the biggest change",
      10,
      {
        policies: [
          { type: "Pods", value: 1, periodSeconds: 60 },
          { type: "Percent", value: 50, periodSeconds: 60 },
        ],
      },
      [],
      5,
    ],
    [
      "Min picks the smallest change",
      10,
      {
        selectPolicy: "Min",
        policies: [
          { type: "Pods", value: 1, periodSeconds: 60 },
          { type: "Percent", value: 50, periodSeconds: 60 },
        ],
      },
      [],
      9,
    ],
    ["replicas removed within the period count against it", 8, { policies: [{ type: "Pods", value: 3, periodSeconds: 60 }] }, [[10, 2]], 7],
    ["Disabled: no scale-down at all", 10, { selectPolicy: "Disabled", policies: [{ type: "Pods", value: 1, periodSeconds: 60 }] }, [], 10],
  ])("scale-down limit: %s", (_n, current, rules, events, limit) => {
    expect(
      scaleDownLimit(
        current,
        events.map(([ago, change]) => ({ atMs: T0 - ago * 1000, change })),
        { selectPolicy: "Max", ...rules },
        T0,
      ),
    ).toBe(limit);
  });

  it("without behavior: the highest recommendation of the last 5 minutes holds a scale-down, scale-up is at most max(2 × current, 4)", () => {
    const history: History = {
      ...emptyHistory(),
      recommendations: [
        { atMs: T0 - 200_000, replicas: 8 },
        { atMs: T0 - 400_000, replicas: 20 },
      ],
    };
    const down = run({ currentReplicas: 10, proposed: 3, history });
    expect(down).toMatchObject({ replicas: 8, ableToScale: { reason: "ScaleDownStabilized" } });
    expect(down.history.recommendations).toEqual([
      { atMs: T0 - 200_000, replicas: 8 },
      { atMs: T0, replicas: 3 },
    ]);
    expect(run({ currentReplicas: 3, proposed: 50 })).toMatchObject({
      replicas: 6,
      scalingLimited: { status: "True", reason: "ScaleUpLimit" },
    });
    expect(run({ currentReplicas: 1, proposed: 50 })).toMatchObject({ replicas: 4 });
    expect(run({ currentReplicas: 3, proposed: 5, maxReplicas: 5 })).toMatchObject({
      replicas: 5,
      scalingLimited: { status: "False", reason: "DesiredWithinRange" },
    });
    expect(run({ currentReplicas: 3, proposed: 9, maxReplicas: 5 })).toMatchObject({
      replicas: 5,
      scalingLimited: { status: "True", reason: "TooManyReplicas" },
    });
    expect(run({ currentReplicas: 3, proposed: 1, minReplicas: 2 })).toMatchObject({
      replicas: 2,
      scalingLimited: { status: "True", reason: "TooFewReplicas" },
    });
  });

  it("with behavior: the scale-up window applies the lowest recent recommendation, the rate limit then caps it", () => {
    const behavior: Behavior = { scaleUp: { stabilizationWindowSeconds: 60, policies: [{ type: "Pods", value: 2, periodSeconds: 60 }] } };
    const history: History = { ...emptyHistory(), recommendations: [{ atMs: T0 - 30_000, replicas: 6 }] };
    const r = run({ currentReplicas: 3, proposed: 10, behavior, history });
    expect(r.ableToScale.reason).toBe("ScaleUpStabilized");
    // Stabilized at 6, then at most 3 + 2 within the minute.
    expect(r).toMatchObject({ replicas: 5, scalingLimited: { status: "True", reason: "ScaleUpLimit" } });
  });

  it("with behavior: a scale-down waits out its window, then goes at the policies' rate, never below minReplicas", () => {
    const behavior: Behavior = {
      scaleDown: { stabilizationWindowSeconds: 120, policies: [{ type: "Pods", value: 2, periodSeconds: 60 }] },
    };
    let history = emptyHistory();
    let current = 10;
    const seen: number[] = [];
    for (let s = 0; s <= 300; s += 15) {
      const r = normalize({
        currentReplicas: current,
        proposed: 1,
        minReplicas: 3,
        maxReplicas: 20,
        behavior,
        history: s === 0 ? { ...history, recommendations: [{ atMs: T0 - 1, replicas: 10 }] } : history,
        nowMs: T0 + s * 1000,
      });
      history = recordScale(r.history, current, r.replicas, T0 + s * 1000, behavior);
      current = r.replicas;
      seen.push(current);
    }
    // The recommendation of 10 (just before start) holds 120 s; then 2 per minute down to minReplicas.
    expect(seen.slice(0, 8)).toEqual([10, 10, 10, 10, 10, 10, 10, 10]);
    expect(seen.at(-1)).toBe(3);
    for (let i = 1; i < seen.length; i++) expect(seen[i - 4 < 0 ? 0 : i - 4]! - seen[i]!).toBeLessThanOrEqual(2);
  });

  it("property: the result stays within [minReplicas, maxReplicas] whenever the current count does", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 50 }),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 0, max: 200 }),
        fc.boolean(),
        (min, span, currentOffset, proposed, withBehavior) => {
          const max = min + span;
          const current = min + (currentOffset % (span + 1));
          const r = run({
            currentReplicas: current,
            proposed,
            minReplicas: min,
            maxReplicas: max,
            ...(withBehavior ? { behavior: {} } : {}),
          });
          expect(r.replicas).toBeGreaterThanOrEqual(min);
          expect(r.replicas).toBeLessThanOrEqual(max);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("property: stabilization never scales below the highest recommendation of the scale-down window", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 2, maxLength: 40 }),
        fc.integer({ min: 15, max: 300 }),
        (proposals, windowSeconds) => {
          const behavior: Behavior = { scaleDown: { stabilizationWindowSeconds: windowSeconds } };
          let history = emptyHistory();
          let current = proposals[0]!;
          proposals.forEach((proposed, i) => {
            const now = T0 + i * 15_000;
            const r = normalize({ currentReplicas: current, proposed, minReplicas: 1, maxReplicas: 1000, behavior, history, nowMs: now });
            const recent = [...history.recommendations.filter((x) => x.atMs > now - windowSeconds * 1000).map((x) => x.replicas), proposed];
            if (r.replicas < current) expect(r.replicas).toBeGreaterThanOrEqual(Math.min(current, Math.max(...recent)));
            history = recordScale(r.history, current, r.replicas, now, behavior);
            current = r.replicas;
          });
        },
      ),
      { numRuns: 500 },
    );
  });

  it("property: the kept history decides exactly as the whole history would, and holds one entry per distinct count", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 20_000 })), { minLength: 1, maxLength: 80 }),
        fc.integer({ min: 0, max: 120 }),
        fc.integer({ min: 0, max: 120 }),
        fc.boolean(),
        (passes, upWindow, downWindow, withBehavior) => {
          const behavior: Behavior | undefined = withBehavior
            ? { scaleUp: { stabilizationWindowSeconds: upWindow }, scaleDown: { stabilizationWindowSeconds: downWindow } }
            : undefined;
          let kept = emptyHistory();
          const all: History["recommendations"] = [];
          let current = 6;
          let now = T0;
          for (const [proposed, gap] of passes) {
            now += gap;
            const input = {
              currentReplicas: current,
              proposed,
              minReplicas: 1,
              maxReplicas: 12,
              nowMs: now,
              downscaleStabilizationSeconds: downWindow,
            };
            const a = normalize({ ...input, ...(behavior ? { behavior } : {}), history: kept });
            const b = normalize({ ...input, ...(behavior ? { behavior } : {}), history: { ...kept, recommendations: [...all] } });
            expect(a.replicas).toBe(b.replicas);
            all.push({ atMs: now, replicas: proposed });
            expect(new Set(a.history.recommendations.map((r) => r.replicas)).size).toBe(a.history.recommendations.length);
            kept = recordScale(a.history, current, a.replicas, now, behavior);
            current = a.replicas;
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
