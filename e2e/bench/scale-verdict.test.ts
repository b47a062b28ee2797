import { describe, expect, it } from "@jest/globals";
import type { FleetResult, Timing } from "./fleet-result.ts";
import { judgeGrowth, wallOf } from "./scale-verdict.ts";

const timing = (meanMs: number): Timing => ({ count: 100, meanMs, p99AtMostMs: 1000 });
const stages = (fleetRootReconcile: number) => ({
  schedulerQueueWait: timing(0),
  schedulerReconcile: timing(40),
  hostPlacementWrite: timing(20),
  fleetRootQueueWait: timing(0),
  fleetRootReconcile: timing(fleetRootReconcile),
  memberDeploymentWrite: timing(25),
});

/** One fleet's result: every cost per member flat unless overridden. */
function fleet(
  members: number,
  over: { p99?: number; floorP99?: number; busy?: number; kubeSeconds?: number; gatewayMiB?: number } = {},
): FleetResult {
  const cpu = {
    busy: over.busy ?? 1,
    seconds: { "member kube-apiservers": over.kubeSeconds ?? 80, "fleet-root": 7, scheduler: 4, "cluster-gateway": 4, bench: 3 },
  };
  return {
    members,
    idc: members / 3,
    cloud: (2 * members) / 3,
    upSeconds: 30,
    workloads: 100,
    intervalMs: 250,
    memberObjects: 200 * members,
    paced: { p50: 50, p99: over.p99 ?? 100 },
    burst: { p50: 5000, p99: 10000, acceptMs: 400 },
    floor: { paced: { p50: 25, p99: over.floorP99 ?? 90 }, burst: { p50: 600, p99: 1900, acceptMs: 1900 } },
    available: {
      paced: { p50: 1, p99: 2 },
      burst: { p50: 1, p99: 12 },
      "floor-paced": { p50: 1, p99: 2 },
      "floor-burst": { p50: 1, p99: 8 },
    },
    toPlacement: { paced: { p50: 20, p99: 60 }, burst: { p50: 2000, p99: 3000 } },
    timings: { paced: stages(1200), burst: stages(7000) },
    requests: {
      paced: {
        hostWritesPerWorkload: { "events POST": 2, "federateddeployments POST": 1 },
        memberCallsPerDeployment: { "deployments APPLY": 1 },
      },
      burst: {
        hostWritesPerWorkload: { "events POST": 2, "federateddeployments POST": 1 },
        memberCallsPerDeployment: { "deployments APPLY": 1 },
      },
    },
    cpu: { paced: cpu, burst: cpu },
    memoryMiB: { "cluster-gateway": (over.gatewayMiB ?? 20) * members, scheduler: 200 },
    watchesPerMember: Array.from({ length: members }, () => 8),
    connectionsPerMember: Array.from({ length: members }, () => 3),
  };
}

const byFigure = (results: FleetResult[]) => new Map(judgeGrowth(results).map((g) => [g.figure, g]));

describe("judgeGrowth", () => {
  it("calls a figure flat within 1.2× from the smallest fleet to the largest, in whatever order the fleets ran", () => {
    const g = byFigure([fleet(12, { gatewayMiB: 23 }), fleet(3), fleet(6)]);
    expect(g.get("cluster-gateway memory per member, MiB")).toMatchObject({ from: 20, to: 23, flat: true, shown: ["20.0", "23.0"] });
    expect(g.get("cluster-gateway memory per member, MiB")!.wall).toBeUndefined();
    expect(g.get("watches each member serves")).toMatchObject({ ratio: 1, flat: true });
    // A fixed cost spread over more members falls: flat.
    expect(g.get("scheduler memory per member, MiB")).toMatchObject({ ratio: 0.25, flat: true });
  });

  it("names the machine as the wall when its cores are busy and Kubernetes' own processes take most of them", () => {
    const g = byFigure([fleet(3), fleet(12, { p99: 9600, floorP99: 880 })]);
    const paced = g.get("apply → member objects, paced p99")!;
    expect(paced).toMatchObject({ flat: false, shown: ["100 ms", "9.6 s"] });
    expect(paced.ratio).toBeCloseTo(96);
    expect(paced.wall).toMatch(
      /^the machine: its cores 100 % busy, .* 80 of 98 CPU-s, Spillway's services 15; next step: members on cores/,
    );
    expect(g.get("apply → member objects, paced p99, × the floor")!.flat).toBe(false);
    // Where the run measured the members alone, paced, it says how busy they kept it.
    const measured = fleet(12);
    measured.cpu["floor-paced"] = { busy: 0.85, seconds: {} };
    expect(wallOf(measured, "paced")).toMatch(/^the machine: its cores 100 % busy \(the members alone, paced: 85 %\), /);
    expect(wallOf(measured, "burst")).toMatch(/^the machine: its cores 100 % busy, /);
  });

  it("names Spillway's slowest stage when the machine has room, with the phase the figure was measured in", () => {
    const g = byFigure([fleet(3), fleet(12, { p99: 400, busy: 0.6 })]);
    expect(g.get("apply → member objects, paced p99")!.wall).toBe(
      "fleet-root's reconciles (1200 ms mean, paced); next step: profile it (BENCH_CPU_PROFILE=<dir>)",
    );
    const last = fleet(12, { busy: 0.6 });
    expect(wallOf(last, "burst")).toMatch(/^fleet-root's reconciles \(7000 ms mean, at once\)/);
    // Busy, but with Spillway's processes holding most of the cores: not the machine's own wall.
    expect(wallOf(fleet(12, { kubeSeconds: 5 }), "paced")).toMatch(/^fleet-root's reconciles/);
  });

  it("counts a MemberCluster's status writes per member and minute, apart from each workload's writes", () => {
    const small = fleet(3);
    const large = fleet(12);
    // 100 workloads; 3 members over 30 s wrote 9 (6 per member-minute); 12 over 120 s wrote 144 (6).
    small.requests.burst = {
      ...small.requests.burst,
      seconds: 30,
      hostWritesPerWorkload: { "events POST": 2, "memberclusters/status PUT": 0.09 },
    };
    large.requests.burst = {
      ...large.requests.burst,
      seconds: 120,
      hostWritesPerWorkload: { "events POST": 2, "memberclusters/status PUT": 1.44 },
    };
    const g = byFigure([small, large]);
    expect(g.get("host writes per workload, at once")).toMatchObject({ from: 2, to: 2, flat: true });
    expect(g.get("MemberCluster status writes per member-minute, at once")!.from).toBeCloseTo(6);
    expect(g.get("MemberCluster status writes per member-minute, at once")).toMatchObject({ flat: true });
    expect(g.get("MemberCluster status writes per member-minute, at once")!.to).toBeCloseTo(6);
    // A run that did not record how long a phase lasted leaves the rate out rather than guess.
    expect(g.has("MemberCluster status writes per member-minute, paced")).toBe(false);
  });

  it("judges nothing from one fleet", () => {
    expect(judgeGrowth([fleet(3)])).toEqual([]);
  });
});
