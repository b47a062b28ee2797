import { afterEach, beforeEach, describe, expect, it, jest } from "@jest/globals";
import fc from "fast-check";
import { TerminalError } from "./errors.ts";
import { WorkQueue } from "./work-queue.ts";
import { until } from "./testing/until.ts";

/** A promise with its resolver, to hold a handler open while the test adds more work. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

describe("WorkQueue", () => {
  it("processes a key added many times while waiting once", async () => {
    const runs: string[] = [];
    const g = gate();
    const q = new WorkQueue(
      async (key) => {
        runs.push(key);
        if (key === "blocker") await g.opened;
      },
      { concurrency: 1 },
    );
    q.add("blocker");
    for (let i = 0; i < 10; i++) q.add("a");
    q.add("b");
    q.add("a");
    g.open();
    await q.idle();
    expect(runs).toEqual(["blocker", "a", "b"]);
  });

  it("never runs one key on two workers, and re-runs a key added while in flight once", async () => {
    let inFlight = 0;
    let maxInFlightForKey = 0;
    let runs = 0;
    const g = gate();
    const q = new WorkQueue(
      async () => {
        inFlight++;
        runs++;
        maxInFlightForKey = Math.max(maxInFlightForKey, inFlight);
        if (runs === 1) await g.opened;
        inFlight--;
      },
      { concurrency: 8 },
    );
    q.add("k");
    await until(() => runs === 1, "runs === 1");
    q.add("k");
    q.add("k");
    q.add("k");
    g.open();
    await q.idle();
    expect(maxInFlightForKey).toBe(1);
    expect(runs).toBe(2);
  });

  it("bounds concurrency across keys", async () => {
    let active = 0;
    let peak = 0;
    const q = new WorkQueue(
      async () => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setImmediate(r));
        active--;
      },
      { concurrency: 3 },
    );
    for (let i = 0; i < 50; i++) q.add(`k${i}`);
    await q.idle();
    expect(peak).toBe(3);
  });

  it("processes every added key exactly once when all succeed (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom("a", "b", "c", "d", "e"), { maxLength: 40 }),
        fc.integer({ min: 1, max: 4 }),
        async (keys, concurrency) => {
          const seen = new Map<string, number>();
          const q = new WorkQueue(
            async (key) => {
              seen.set(key, (seen.get(key) ?? 0) + 1);
            },
            { concurrency },
          );
          for (const k of keys) q.add(k);
          await q.idle();
          expect(new Set(seen.keys())).toEqual(new Set(keys));
          for (const n of seen.values()) expect(n).toBeGreaterThanOrEqual(1);
          // A key can run twice only if it was added again while in flight; never more than its adds.
          for (const [k, n] of seen) expect(n).toBeLessThanOrEqual(keys.filter((x) => x === k).length);
        },
      ),
      { numRuns: 50 },
    );
  });
});

/**
 * Time-dependent behaviour on Jest's fake clock (timers, Date and performance), so each wait is
 * asserted exactly and no test depends on how busy the machine is.
 */
describe("WorkQueue timing (fake clock)", () => {
  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ["setImmediate", "nextTick", "queueMicrotask"] });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it("retries failures after exactly the per-key backoff, doubling, and forgets it on success", async () => {
    const attempts: number[] = [];
    const retries: Array<number | undefined> = [];
    const q = new WorkQueue(
      async () => {
        attempts.push(Date.now());
        if (attempts.length < 4) throw new Error("transient");
      },
      { backoffBaseMs: 20, onError: (_k, _e, retryIn) => retries.push(retryIn) },
    );
    const t0 = Date.now();
    q.add("k");
    await until(() => attempts.length === 1, "attempts.length === 1");
    await jest.advanceTimersByTimeAsync(19);
    expect(attempts).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1 + 40 + 80);
    await q.idle();
    expect(retries).toEqual([20, 40, 80]);
    expect(attempts.map((t) => t - t0)).toEqual([0, 20, 60, 140]);
    expect(q.retries("k")).toBe(0);
  });

  it("does not retry a terminal error: no retry is ever scheduled", async () => {
    let runs = 0;
    const errors: Array<number | undefined> = [];
    const q = new WorkQueue(
      async () => {
        runs++;
        throw new Error("wrapped", { cause: new TerminalError("spec can never work") });
      },
      { backoffBaseMs: 1, onError: (_k, _e, retryIn) => errors.push(retryIn) },
    );
    q.add("k");
    await q.idle();
    expect(jest.getTimerCount()).toBe(0);
    await jest.advanceTimersByTimeAsync(3_600_000);
    expect(runs).toBe(1);
    expect(errors).toEqual([undefined]);
  });

  it("reports how long each key waited behind the others and how its run ended", async () => {
    const waited: number[] = [];
    const worked: Array<[number, string]> = [];
    const first = gate();
    const q = new WorkQueue(
      async (key) => {
        if (key === "a") await first.opened;
        if (key === "b") throw new TerminalError("bad spec");
      },
      { concurrency: 1 },
    );
    q.observe({ waited: (ms) => waited.push(ms), worked: (ms, result) => worked.push([ms, result]) });
    q.add("a");
    q.add("b");
    await jest.advanceTimersByTimeAsync(20);
    first.open();
    await q.idle();
    // b waited for a's whole run, which was held open 20 ms.
    expect(waited).toEqual([0, 20]);
    expect(worked).toEqual([
      [20, "success"],
      [0, "terminal"],
    ]);
  });

  it("honours requeueAfter, and an explicit add supersedes the delay", async () => {
    const times: number[] = [];
    const q = new WorkQueue(async () => {
      times.push(Date.now());
      return times.length === 1 ? { requeueAfterMs: 60_000 } : undefined;
    });
    q.add("k");
    await until(() => times.length === 1, "times.length === 1");
    expect(jest.getTimerCount()).toBe(1); // the requeue
    await jest.advanceTimersByTimeAsync(1000);
    q.add("k");
    await until(() => times.length === 2, "times.length === 2");
    expect(times[1]! - times[0]!).toBe(1000);
    // The delayed add was cancelled by the explicit one.
    await q.idle();
    await jest.advanceTimersByTimeAsync(120_000);
    expect(times).toHaveLength(2);
    await q.shutdown();
  });

  it("lets an earlier delayed add win over a later one already scheduled, and runs once", async () => {
    const times: number[] = [];
    const q = new WorkQueue(async () => {
      times.push(Date.now());
    });
    const t0 = Date.now();
    q.addAfter("k", 60_000); // e.g. a periodic resync
    q.addAfter("k", 20); // a change that must be looked at soon
    q.addAfter("k", 40); // a later one does not postpone it
    await jest.advanceTimersByTimeAsync(19);
    expect(times).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    await q.idle();
    expect(times.map((t) => t - t0)).toEqual([20]);
    await jest.advanceTimersByTimeAsync(120_000);
    expect(times).toHaveLength(1);
    await q.shutdown();
  });
});
