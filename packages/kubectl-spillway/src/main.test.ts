/** The plugin's command line, where no cluster is needed: help, durations, refusals naming the fix. */
import { describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import { complete } from "./core/completion.ts";
import { normalizeWatch, parseDuration, run } from "./main.ts";
import { VERSION } from "./version.ts";

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

  it.each([
    [["rollout", "status", "-w", "fdeploy/web"], ["rollout", "status", "-w", "fdeploy/web"], true],
    [["rollout", "status", "fdeploy/web", "--watch=false"], ["rollout", "status", "fdeploy/web"], false],
    [["rollout", "status", "-w=false", "fdeploy/web"], ["rollout", "status", "fdeploy/web"], false],
    [["rollout", "status", "--watch=true", "fdeploy/web"], ["rollout", "status", "fdeploy/web"], true],
  ])("reads %j as kubectl does: -w is a flag, --watch=false turns it off", (argv, args, watch) => {
    expect(normalizeWatch(argv)).toEqual({ args, watch });
  });

  it("prints its version, the package's", async () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
    expect(VERSION).toBe(pkg.version);
    const c = capture();
    expect(await run(["version"], c.io, {})).toBe(0);
    expect(c.out.join("")).toBe(`kubectl-spillway v${pkg.version}\n`);
  });

  it.each([
    [[""], ["clusters", "placement", "rollout", "simulate", "fence", "unfence", "version", "help", ":4"]],
    [["pl"], ["placement", ":4"]],
    [
      ["rollout", ""],
      ["status", ":4"],
    ],
    [
      ["placement", "fs"],
      ["fsts/", ":4"],
    ],
    [["placement", "fdeploy/w"], [":4"]],
    [
      ["placement", "-o", ""],
      ["json", "yaml", "name", "wide", ":4"],
    ],
    [["simulate", "-f", ""], [":0"]],
    [
      ["clusters", "--no"],
      ["--no-headers", ":4"],
    ],
    [
      ["fence", "c"],
      ["cloud-1", ":4"],
    ],
  ])("completes %j", (words, expected) => {
    expect(
      complete(words, { clusters: ["idc-1", "cloud-1"] })
        .trim()
        .split("\n"),
    ).toEqual(expected);
  });
});
