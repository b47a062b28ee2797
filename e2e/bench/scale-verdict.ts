/**
 * Whether each cost per member and per pod stays flat from the smallest fleet to the largest
 * (within 1.2×, issue 26), and where one does not, the wall as the measurements name it: a
 * machine whose cores are taken by the clusters' own Kubernetes processes, or else Spillway's
 * slowest stage. Pure: the bench prints what this returns.
 */
import type { FleetResult, Timing, TimingKey } from "./fleet-result.ts";

type Phase = "paced" | "burst";

/** How far a figure may grow from the smallest fleet to the largest and still count as flat. */
export const FLAT = 1.2;

export interface Growth {
  figure: string;
  from: number;
  to: number;
  /** to / from; 1 when both are 0. */
  ratio: number;
  flat: boolean;
  /** Printed values, in the figure's unit. */
  shown: [string, string];
  /** Where it is not flat: what holds it, and the next step past it. */
  wall?: string;
}

/** CPU groups that are Kubernetes itself (the members' and host's API servers, etcd, controllers, kwok), not Spillway. */
const KUBERNETES = ["member kube-apiservers", "host kube-apiserver", "etcd", "controller-managers", "kube-scheduler", "kwok"];
const SPILLWAY = ["cluster-gateway", "scheduler", "fleet-root"];

const STAGES: Record<TimingKey, string> = {
  schedulerQueueWait: "the scheduler's queue",
  schedulerReconcile: "the scheduler's reconciles",
  hostPlacementWrite: "the host's Placement writes",
  fleetRootQueueWait: "fleet-root's queue",
  fleetRootReconcile: "fleet-root's reconciles",
  memberDeploymentWrite: "the members' Deployment writes",
};

const pct = (share: number) => `${Math.round(share * 100)} %`;
const sum = (xs: Record<string, number>, keys?: string[]) =>
  Object.entries(xs)
    .filter(([k]) => !keys || keys.includes(k))
    .reduce((a, [, v]) => a + v, 0);

/** The wall in one phase of the largest fleet, named from where its cores and time went. */
export function wallOf(r: FleetResult, phase: Phase): string {
  const { busy, seconds } = r.cpu[phase];
  const all = sum(seconds);
  const kubernetes = sum(seconds, KUBERNETES);
  const spillway = sum(seconds, SPILLWAY);
  if (busy >= 0.95 && kubernetes > all / 2) {
    // How busy the members alone kept it, paced, where measured: how little room Spillway's load had.
    const floor = phase === "paced" && r.cpu["floor-paced"] ? ` (the members alone, paced: ${pct(r.cpu["floor-paced"].busy)})` : "";
    return (
      `the machine: its cores ${pct(busy)} busy${floor}, Kubernetes' own processes (API servers, etcd, ` +
      `controllers, kwok) ${kubernetes.toFixed(0)} of ${all.toFixed(0)} CPU-s, Spillway's services ${spillway.toFixed(0)}; ` +
      `next step: members on cores of their own (a bigger machine or real clusters)`
    );
  }
  const [key, t] = (Object.entries(r.timings[phase]) as Array<[TimingKey, Timing]>).reduce((a, b) => (b[1].meanMs > a[1].meanMs ? b : a));
  const when = phase === "paced" ? "paced" : "at once";
  return `${STAGES[key]} (${t.meanMs.toFixed(0)} ms mean, ${when}); next step: profile it (BENCH_CPU_PROFILE=<dir>)`;
}

interface FigureDef {
  figure: string;
  /** The phase it is measured in (whole-run figures: paced). */
  phase?: Phase;
  value: (r: FleetResult) => number;
  show: (n: number) => string;
}

/**
 * A MemberCluster's capacity is written at most every 5 s whatever the workloads do: a cost per
 * member and per minute, counted apart from the writes each workload brings.
 */
const MEMBER_STATUS = "memberclusters/status PUT";
const perWorkload = (r: FleetResult, phase: Phase) =>
  sum(Object.fromEntries(Object.entries(r.requests[phase].hostWritesPerWorkload).filter(([k]) => k !== MEMBER_STATUS)));
const memberStatusRate = (r: FleetResult, phase: Phase) => {
  const { seconds, hostWritesPerWorkload } = r.requests[phase];
  // Runs before the phase's length was recorded cannot say.
  if (!seconds) return NaN;
  return ((hostWritesPerWorkload[MEMBER_STATUS] ?? 0) * r.workloads) / r.members / (seconds / 60);
};

const ms = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(1)} s` : `${n.toFixed(0)} ms`);
const fixed = (digits: number) => (n: number) => n.toFixed(digits);

function figures(services: string[]): FigureDef[] {
  return [
    ...(["paced", "burst"] as const).flatMap((phase): FigureDef[] => {
      const when = phase === "paced" ? "paced" : "at once";
      return [
        { figure: `host writes per workload, ${when}`, phase, value: (r) => perWorkload(r, phase), show: fixed(1) },
        {
          figure: `MemberCluster status writes per member-minute, ${when}`,
          phase,
          value: (r) => memberStatusRate(r, phase),
          show: fixed(1),
        },
      ];
    }),
    { figure: "member calls per member Deployment", value: (r) => sum(r.requests.paced.memberCallsPerDeployment), show: fixed(2) },
    { figure: "watches each member serves", value: (r) => Math.max(...r.watchesPerMember), show: fixed(0) },
    { figure: "connections each member serves", value: (r) => Math.max(...r.connectionsPerMember), show: fixed(0) },
    ...services.map((s) => ({
      figure: `${s} memory per member, MiB`,
      value: (r: FleetResult) => (r.memoryMiB[s] ?? 0) / r.members,
      show: fixed(1),
    })),
    {
      figure: "Spillway CPU ms per member Deployment, paced",
      value: (r) => (sum(r.cpu.paced.seconds, SPILLWAY) * 1000) / (r.workloads * r.members),
      show: fixed(1),
    },
    // Latencies are not costs per member, but over the members' own floor they say what Spillway adds.
    { figure: "apply → member objects, paced p99, × the floor", value: (r) => r.paced.p99 / r.floor.paced.p99, show: fixed(2) },
    {
      figure: "apply → replica available, at once p99, × the floor",
      phase: "burst",
      value: (r) => r.available.burst.p99 / r.available["floor-burst"].p99,
      show: fixed(2),
    },
    { figure: "apply → member objects, paced p99", value: (r) => r.paced.p99, show: ms },
  ];
}

/** Each figure from the smallest fleet to the largest; the wall named where one grows past FLAT. */
export function judgeGrowth(results: FleetResult[]): Growth[] {
  if (results.length < 2) return [];
  const first = results.reduce((a, b) => (b.members < a.members ? b : a));
  const last = results.reduce((a, b) => (b.members > a.members ? b : a));
  const services = Object.keys(first.memoryMiB).filter((s) => s in last.memoryMiB);
  return figures(services).flatMap(({ figure, phase = "paced", value, show }) => {
    const from = value(first);
    const to = value(last);
    if (!Number.isFinite(from) || !Number.isFinite(to)) return [];
    const ratio = from === 0 ? (to === 0 ? 1 : Infinity) : to / from;
    const flat = ratio <= FLAT;
    return [
      { figure, from, to, ratio, flat, shown: [show(from), show(to)] as [string, string], ...(flat ? {} : { wall: wallOf(last, phase) }) },
    ];
  });
}
