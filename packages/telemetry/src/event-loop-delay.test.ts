import { describe, expect, it } from "@jest/globals";
import { EventLoopDelay } from "./event-loop-delay.ts";

const stall = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("EventLoopDelay", () => {
  it("records a stall that begins right after a window is taken (Node's own monitor loses it after a reset)", async () => {
    const delay = new EventLoopDelay(10);
    try {
      await tick(50);
      delay.takeWindow();
      stall(300);
      await tick(30); // the timer fires once the loop is free again
      const window = delay.takeWindow();
      expect(window!.maxSeconds).toBeGreaterThanOrEqual(0.29);
      expect(window!.p99Seconds).toBeGreaterThan(0);
      await tick(50);
      // The next window holds only what came after.
      expect(delay.takeWindow()!.maxSeconds).toBeLessThan(0.29);
    } finally {
      delay.stop();
    }
  });

  it("has no window before its timer first fires", () => {
    const delay = new EventLoopDelay(10);
    try {
      expect(delay.takeWindow()).toBeUndefined();
    } finally {
      delay.stop();
    }
  });
});
