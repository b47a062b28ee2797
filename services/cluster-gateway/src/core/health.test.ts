import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { initialHealth, observeProbe, type HealthConfig, type HealthState } from "./health.ts";

const config: HealthConfig = { failureThreshold: 3, successThreshold: 1, holdDownMs: 10_000 };
const ok = { ok: true };
const down = { ok: false, reason: "Unreachable" as const, message: "connect ECONNREFUSED 127.0.0.1:17032" };

function run(probes: Array<[number, boolean]>): HealthState[] {
  let s = initialHealth(0);
  return probes.map(([t, good]) => (s = observeProbe(s, good ? ok : down, t, config)));
}

describe("member health", () => {
  it("is Ready after the first good probe", () => {
    expect(run([[0, true]]).at(-1)).toMatchObject({ ready: true, reason: "Ready", lastTransitionMs: 0 });
  });

  it("goes NotReady only after failureThreshold consecutive failures, with the failure's reason", () => {
    const states = run([
      [0, true],
      [2000, false],
      [4000, false],
      [6000, false],
    ]);
    expect(states.map((s) => s.ready)).toEqual([true, true, true, false]);
    expect(states[3]).toMatchObject({ reason: "Unreachable", message: down.message, lastTransitionMs: 6000 });
  });

  it("resets the failure count on a good probe", () => {
    const states = run([
      [0, true],
      [2000, false],
      [4000, false],
      [6000, true],
      [8000, false],
      [10000, false],
    ]);
    expect(states.every((s) => s.ready === true)).toBe(true);
  });

  it("holds a recovered member down until holdDownMs after the outage began", () => {
    const states = run([
      [0, true],
      [2000, false],
      [4000, false],
      [6000, false], // NotReady at 6 s
      [8000, true],
      [14000, true],
      [16000, true], // 10 s after the transition
    ]);
    expect(states.map((s) => s.ready)).toEqual([true, true, true, false, false, false, true]);
    expect(states[6]!.lastTransitionMs).toBe(16000);
  });

  it("never reports an up-transition sooner than holdDownMs after a down-transition (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 5000 }), fc.boolean()), { maxLength: 200 }), (steps) => {
        let t = 0;
        let s = initialHealth(0);
        let lastDown: number | undefined;
        for (const [dt, good] of steps) {
          t += dt;
          const before = s.ready;
          const transitionBefore = s.lastTransitionMs;
          s = observeProbe(s, good ? ok : down, t, config);
          if (before !== false && s.ready === false) lastDown = t;
          if (before === false && s.ready === true) expect(t - lastDown!).toBeGreaterThanOrEqual(config.holdDownMs);
          if (before !== s.ready) expect(s.lastTransitionMs).toBe(t);
          else expect(s.lastTransitionMs).toBe(transitionBefore);
        }
      }),
    );
  });

  it("detects an outage within failureThreshold probes however it was before (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { maxLength: 50 }), (history) => {
        let s = initialHealth(0);
        let t = 0;
        for (const good of history) s = observeProbe(s, good ? ok : down, (t += 2000), config);
        for (let i = 0; i < config.failureThreshold; i++) s = observeProbe(s, down, (t += 2000), config);
        expect(s.ready).toBe(false);
      }),
    );
  });
});
