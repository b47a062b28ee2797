/** The plugin's command line, where no cluster is needed: help, durations, refusals naming the fix. */
import { describe, expect, it } from "@jest/globals";
import { parseDuration, run } from "./main.ts";

const capture = () => {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) }, out, err };
};

describe("kubectl spillway", () => {
  it("prints its commands for --help and exits 0, and 1 when given none", async () => {
    const c = capture();
    expect(await run(["--help"], c.io)).toBe(0);
    for (const cmd of [
      "clusters",
      "placement KIND/NAME",
      "rollout status KIND/NAME",
      "simulate -f FILE",
      "fence CLUSTER",
      "unfence CLUSTER",
    ])
      expect(c.out.join("")).toContain(cmd);
    expect(await run([], capture().io)).toBe(1);
  });

  it.each([
    [["frobnicate"], /unknown command "frobnicate" for "kubectl spillway"/],
    [["rollout", "undo", "fdeploy/web"], /only "rollout status" exists/],
    [["clusters", "--bogus"], /Unknown option '--bogus'/],
    [["rollout", "status", "fdeploy/web", "--timeout=soon"], /invalid --timeout "soon"/],
    [["simulate", "--replicas=-2"], /--replicas must be a non-negative integer/],
  ])("refuses %j saying why", async (argv, message) => {
    await expect(run(argv, capture().io, {})).rejects.toThrow(message);
  });

  it.each([
    ["90", 90_000],
    ["90s", 90_000],
    ["5m", 300_000],
    ["1h30m", 5_400_000],
    ["250ms", 250],
  ])("reads --timeout %s", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });
});
