import { describe, expect, it } from "@jest/globals";
import { Coalescer } from "./coalescer.ts";

async function until(predicate: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("Coalescer", () => {
  it("runs the first trigger at once and folds a burst into one trailing run", async () => {
    const runs: number[] = [];
    const t0 = Date.now();
    const c = new Coalescer(100, () => runs.push(Date.now() - t0));
    c.trigger("idc-1");
    for (let i = 0; i < 50; i++) c.trigger("idc-1");
    expect(runs).toHaveLength(1);
    await until(() => runs.length === 2);
    expect(runs[1]!).toBeGreaterThanOrEqual(95);
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

  it("never runs more often than the interval, and the last trigger always runs", async () => {
    const runs: number[] = [];
    const c = new Coalescer(40, () => runs.push(Date.now()));
    const end = Date.now() + 300;
    while (Date.now() < end) {
      c.trigger("k");
      await new Promise((r) => setTimeout(r, 3));
    }
    const lastTrigger = Date.now();
    await until(() => runs.at(-1)! >= lastTrigger - 40);
    for (let i = 1; i < runs.length; i++) expect(runs[i]! - runs[i - 1]!).toBeGreaterThanOrEqual(38);
    c.stop();
  });
});
