/** The Coalescer on Jest's fake clock: each run's time is asserted exactly. */
import { afterEach, beforeEach, describe, expect, it, jest } from "@jest/globals";
import { Coalescer } from "./coalescer.ts";

describe("Coalescer", () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it("runs the first trigger at once and folds a burst into one trailing run at the end of the interval", () => {
    const runs: number[] = [];
    const t0 = Date.now();
    const c = new Coalescer(100, () => runs.push(Date.now() - t0));
    c.trigger("idc-1");
    for (let i = 0; i < 50; i++) c.trigger("idc-1");
    expect(runs).toEqual([0]);
    jest.advanceTimersByTime(99);
    expect(runs).toEqual([0]);
    jest.advanceTimersByTime(1);
    expect(runs).toEqual([0, 100]);
    c.stop();
  });

  it("keeps keys independent", () => {
    const runs: string[] = [];
    const c = new Coalescer(1000, (k) => runs.push(k));
    c.trigger("a");
    c.trigger("b");
    c.trigger("a");
    expect(runs).toEqual(["a", "b"]);
    c.stop();
  });

  it("never runs more often than the interval, and the last trigger always runs", () => {
    const runs: number[] = [];
    const t0 = Date.now();
    const c = new Coalescer(40, () => runs.push(Date.now() - t0));
    // A trigger every 3 ms for 300 ms.
    for (let t = 0; t < 300; t += 3) {
      c.trigger("k");
      jest.advanceTimersByTime(3);
    }
    const lastTrigger = 297;
    jest.advanceTimersByTime(100);
    // One run per interval, the last one after the last trigger.
    expect(runs).toEqual([0, 40, 80, 120, 160, 200, 240, 280, 320]);
    expect(runs.at(-1)!).toBeGreaterThanOrEqual(lastTrigger);
  });

  it("forgets a key: its trailing run is cancelled", () => {
    const runs: string[] = [];
    const c = new Coalescer(50, (k) => runs.push(k));
    c.trigger("gone");
    c.trigger("gone");
    c.forget("gone");
    jest.advanceTimersByTime(100);
    expect(runs).toEqual(["gone"]);
  });
});
