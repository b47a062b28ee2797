/**
 * How Spillway's costs grow with the number of members (`pnpm bench:scale`): brings up fleets of
 * BENCH_FLEETS real members in turn (default 3, 6 and 12: 2+1, 2+4 and 4+8 IDC+cloud, each member
 * a real kube-apiserver with its own controllers and kwok nodes; scale-fleet.ts measures one),
 * runs the scheduler's synthetic bench (100 members × 500 nodes, not a testbed) once, and prints
 * one table: apply → all member objects created (paced and at once) with where the time goes (the
 * scheduler's and fleet-root's queue wait and reconciles, the host's Placement writes, the
 * members' Deployment writes), each service's memory in all and per member, and the watches and
 * connections each member serves to the control plane.
 * Raw results go to `.bench/scale-<time>.json`. BENCH_SPILLWAY_NICE runs each fleet's driver, and
 * so Spillway's services, in a session of their own at that nice level, and the host cluster's
 * processes and NATS at it too (weighSession: as root, as CPU requests); the members keep the
 * default weight.
 *   pnpm bench:scale  (node e2e/bench/scale.bench.ts)
 */
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { weighSession } from "@spillway/testbed";
import type { FleetResult } from "./fleet-result.ts";
import { FLAT, judgeGrowth } from "./scale-verdict.ts";

const root = join(import.meta.dirname, "..", "..");
const fleets = (process.env["BENCH_FLEETS"] ?? "2,1 2,4 4,8").split(/\s+/).filter(Boolean);
const spillwayNice = process.env["BENCH_SPILLWAY_NICE"];

/** Runs a node script; resolves with its output lines, rejects with them when it fails. */
function run(args: string[], env: NodeJS.ProcessEnv = {}, nice?: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: nice !== undefined,
    });
    if (nice !== undefined) weighSession(child.pid!, nice);
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("exit", (code) => {
      const lines = out.split("\n").filter(Boolean);
      if (code === 0) resolve(lines);
      else reject(new Error(`node ${args.join(" ")} exited ${code}:\n${lines.slice(-20).join("\n")}`));
    });
  });
}

const results: FleetResult[] = [];
for (const fleet of fleets) {
  console.log(`bench:scale: a fleet of ${fleet} (IDC,cloud) members…`);
  const lines = await run([join("e2e", "bench", "scale-fleet.ts")], { SPILLWAY_TESTBED_MEMBERS: fleet }, spillwayNice);
  results.push(JSON.parse(lines[lines.length - 1]!) as FleetResult);
}
console.log("bench:scale: the scheduler's synthetic bench…");
const scheduler = await run(["--expose-gc", join("services", "scheduler", "bench", "scheduler.bench.ts")]);

// The raw results first: a table that fails to print loses nothing.
const dir = join(root, ".bench");
mkdirSync(dir, { recursive: true });
const file = join(dir, `scale-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
writeFileSync(file, JSON.stringify({ date: new Date().toISOString(), fleets: results, scheduler }, null, 2));

const ms = (n: number) => `${n.toFixed(0)} ms`;
const sentOver = (p: FleetResult["paced"]) => (p.sentOverSeconds === undefined ? "" : `, sent over ${p.sentOverSeconds.toFixed(0)} s`);
const range = (xs: number[]) => (Math.min(...xs) === Math.max(...xs) ? `${xs[0]}` : `${Math.min(...xs)}–${Math.max(...xs)}`);
const services = Object.keys(results[0]?.memoryMiB ?? {});
const rows: Array<[string, (r: FleetResult) => string]> = [
  ["testbed up", (r) => `${r.upSeconds.toFixed(0)} s`],
  [`apply → member objects, ${results[0]?.workloads} paced`, (r) => `p50 ${ms(r.paced.p50)}, p99 ${ms(r.paced.p99)}${sentOver(r.paced)}`],
  [`… ${results[0]?.workloads} at once`, (r) => `p50 ${ms(r.burst.p50)}, p99 ${ms(r.burst.p99)}`],
  ["… of which apply → Placement, paced", (r) => `p50 ${ms(r.toPlacement.paced.p50)}, p99 ${ms(r.toPlacement.paced.p99)}`],
  ["… of which apply → Placement, at once", (r) => `p50 ${ms(r.toPlacement.burst.p50)}, p99 ${ms(r.toPlacement.burst.p99)}`],
  ["… host accepted the creates in", (r) => `${ms(r.burst.acceptMs)} (p99 ${(r.burst.p99 / r.burst.acceptMs).toFixed(1)}×)`],
  [
    "floor: the members alone, paced",
    (r) =>
      `p50 ${ms(r.floor.paced.p50)}, p99 ${ms(r.floor.paced.p99)} ` +
      `(Spillway's paced p99 ${(r.paced.p99 / r.floor.paced.p99).toFixed(1)}×)`,
  ],
  [
    "floor: the members alone, at once",
    (r) =>
      `p50 ${ms(r.floor.burst.p50)}, p99 ${ms(r.floor.burst.p99)} ` +
      `(Spillway's burst p99 ${(r.burst.p99 / (r.burst.acceptMs + r.floor.burst.p99)).toFixed(1)}× host accept + floor)`,
  ],
  ...(
    [
      ["paced", "apply → replica available everywhere, paced"],
      ["burst", "… at once"],
      ["floor-paced", "… the members alone (floor), paced"],
      ["floor-burst", "… the members alone (floor), at once"],
    ] as const
  ).map(([key, label]): [string, (r: FleetResult) => string] => [
    label,
    (r) => `p50 ${ms(r.available[key].p50)}, p99 ${ms(r.available[key].p99)}`,
  ]),
  ...(["paced", "burst"] as const).flatMap((when): Array<[string, (r: FleetResult) => string]> =>
    (
      [
        ["schedulerQueueWait", "scheduler queue wait"],
        ["schedulerReconcile", "scheduler reconcile"],
        ["hostPlacementWrite", "host Placement writes"],
        ["fleetRootQueueWait", "fleet-root queue wait"],
        ["fleetRootReconcile", "fleet-root reconcile"],
        ["memberDeploymentWrite", "member Deployment writes"],
      ] as const
    ).map(([key, label]) => [
      `${label}, ${when === "paced" ? "paced" : "at once"} (mean, p99 ≤)`,
      (r) => {
        const t = r.timings[when][key];
        return `${ms(t.meanMs)}, ${t.p99AtMostMs === null ? "past the last bucket" : ms(t.p99AtMostMs)} (${t.count})`;
      },
    ]),
  ),
  ...(["paced", "burst"] as const).flatMap((when): Array<[string, (r: FleetResult) => string]> => {
    const phase = when === "paced" ? "paced" : "at once";
    const top = (counts: Record<string, number>) =>
      Object.entries(counts)
        .slice(0, 4)
        .map(([k, n]) => `${k} ${n}`)
        .join(", ");
    return [
      [`host writes per workload, ${phase}`, (r) => top(r.requests[when].hostWritesPerWorkload)],
      [`member calls per member Deployment, ${phase}`, (r) => top(r.requests[when].memberCallsPerDeployment)],
    ];
  }),
  ...(
    [
      ["paced", "paced"],
      ["burst", "at once"],
      ["floor-paced", "the members alone, paced"],
    ] as const
  ).map(([when, label]): [string, (r: FleetResult) => string] => [
    `cores busy, ${label}; CPU s of the top five`,
    (r) => {
      const use = r.cpu[when];
      if (!use) return "not measured";
      const over = use.elapsedSeconds === undefined ? "" : ` of ${use.elapsedSeconds.toFixed(0)} s`;
      const top = Object.entries(use.seconds)
        .slice(0, 5)
        .map(([g, s]) => `${g} ${s.toFixed(0)}`)
        .join(", ");
      return `${Math.round(use.busy * 100)} %${over}; ${top}`;
    },
  ]),
  ...services.map((s): [string, (r: FleetResult) => string] => [
    `${s} memory (per member)`,
    (r) => `${r.memoryMiB[s]!.toFixed(0)} MiB (${(r.memoryMiB[s]! / r.members).toFixed(1)})`,
  ]),
  ["watches each member serves", (r) => range(r.watchesPerMember)],
  ["connections each member serves", (r) => range(r.connectionsPerMember)],
];
const header = ["members", ...results.map((r) => `${r.members} (${r.idc}+${r.cloud})`)];
const table = [header, ...rows.map(([label, cell]) => [label, ...results.map(cell)])];
const widths = header.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
console.log("");
for (const row of table) console.log(row.map((c, i) => c.padEnd(widths[i]!)).join("  "));
console.log("");
for (const line of scheduler.filter((l) => /^\s/.test(l))) console.log(line);

const growth = judgeGrowth(results);
if (growth.length) {
  const sizes = results.map((r) => r.members);
  console.log(`\nfrom ${Math.min(...sizes)} to ${Math.max(...sizes)} members (flat: within ${FLAT}×):`);
  const width = Math.max(...growth.map((g) => g.figure.length));
  for (const g of growth) {
    const verdict = g.flat ? "flat" : `grows; the wall: ${g.wall}`;
    console.log(`  ${g.figure.padEnd(width)}  ${g.shown[0]} → ${g.shown[1]}  (${g.ratio.toFixed(2)}×)  ${verdict}`);
  }
}

console.log(`\nraw results: ${file}`);
