import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { ExponentialBackoff, retryWithBackoff } from "./backoff.ts";

describe("ExponentialBackoff", () => {
  it.each([
    [1, 5],
    [2, 10],
    [3, 20],
    [10, 2560],
    [20, 1000_000],
  ])("after %i failures waits %i ms (base 5, cap 1000 s)", (failures, expected) => {
    const b = new ExponentialBackoff<string>({ baseMs: 5, maxMs: 1000_000 });
    let last = 0;
    for (let i = 0; i < failures; i++) last = b.next("k");
    expect(last).toBe(expected);
  });

  it("is per key and reset by forget", () => {
    const b = new ExponentialBackoff<string>({ baseMs: 1, maxMs: 100 });
    b.next("a");
    b.next("a");
    expect(b.next("b")).toBe(1);
    b.forget("a");
    expect(b.next("a")).toBe(1);
  });

  it("never decreases and never exceeds the cap (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 1e7 }),
        fc.integer({ min: 1, max: 2000 }),
        (base, cap, n) => {
          const b = new ExponentialBackoff<number>({ baseMs: base, maxMs: cap });
          let prev = 0;
          for (let i = 0; i < n; i++) {
            const d = b.next(0);
            expect(d).toBeGreaterThanOrEqual(prev);
            expect(d).toBeLessThanOrEqual(cap);
            prev = d;
          }
        },
      ),
    );
  });
});

describe("retryWithBackoff", () => {
  it("retries until the attempt succeeds, doubling the wait it reports each time", async () => {
    let calls = 0;
    const waits: number[] = [];
    const result = await retryWithBackoff(
      async () => {
        if (++calls < 4) throw new Error(`down ${calls}`);
        return "up";
      },
      (err, wait) => waits.push(wait) && expect(String(err)).toMatch(/down/),
      { baseMs: 1, maxMs: 3 },
    );
    expect(result).toBe("up");
    expect(waits).toEqual([1, 2, 3]);
  });
});
