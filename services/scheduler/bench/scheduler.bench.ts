/**
 * Scheduler benchmark on a synthetic fleet: 100 clusters × 500 nodes (40 % IDC) and 10,000
 * workloads sized so IDC fills and the rest spills to cloud (BENCH_CLUSTERS, BENCH_NODES,
 * BENCH_WORKLOADS override). Prints the full-pass time, per-decision p50/p99, decisions per second
 * on one core, and the cost of reacting to one snapshot change (which workloads it re-evaluates).
 *   node --expose-gc services/scheduler/bench/scheduler.bench.ts
 */
import { affectedBy } from "../src/core/affected.ts";
import { decide, newLedgers, type PassContext } from "../src/core/decide.ts";
import { decideOrdinals, rangesOf } from "../src/core/ordinal-placement.ts";
import { defaultSchedulerConfig, type ClusterView, type Decision, type WorkloadRequest } from "../src/core/types.ts";

const CLUSTERS = Number(process.env["BENCH_CLUSTERS"] ?? 100);
const NODES = Number(process.env["BENCH_NODES"] ?? 500);
const WORKLOADS = Number(process.env["BENCH_WORKLOADS"] ?? 10_000);

let seed = 7;
const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;

const clusters: ClusterView[] = Array.from({ length: CLUSTERS }, (_, c) => {
  const tier = c < CLUSTERS * 0.4 ? "idc" : "cloud";
  return {
    name: `${tier}-${c}`,
    tier,
    priority: c,
    labels: { "spillway.dev/tier": tier, region: `r${c % 5}` },
    taints: [],
    ready: true,
    notReadyForMs: 0,
    snapshotRevision: 1,
    nodes: Array.from({ length: NODES }, (_, n) => ({
      name: `n${n}`,
      labels: { zone: `z${n % 3}`, ...(n % 25 === 0 ? { gpu: "true" } : {}) },
      taints: n % 25 === 0 ? [{ key: "gpu", value: "", effect: "NoSchedule" }] : [],
      free: { cpu: 16_000, memory: 64 * 2 ** 30, ...(n % 25 === 0 ? { "nvidia.com/gpu": 8 } : {}) },
      freePods: 110,
    })),
  };
});

const workloads: WorkloadRequest[] = Array.from({ length: WORKLOADS }, (_, i): WorkloadRequest => {
  const gpu = i % 50 === 0;
  const perReplica: Record<string, number> = gpu
    ? { cpu: 4000, memory: 16 * 2 ** 30, "nvidia.com/gpu": 1 + Math.floor(rand() * 4) }
    : { cpu: 100 * (1 + Math.floor(rand() * 40)), memory: 2 ** 28 * (1 + Math.floor(rand() * 8)) };
  return {
    key: `ns-${i % 300}/w-${i}`,
    replicas: 1 + Math.floor(rand() * 40),
    perReplica,
    nodeSelector: gpu ? { gpu: "true" } : {},
    nodeAffinity: i % 7 === 0 ? [[{ key: "zone", operator: "In", values: ["z0", "z1"] }]] : [],
    tolerations: gpu ? [{ key: "gpu", operator: "Exists" }] : [],
    placement: i % 11 === 0 ? { clusterSelector: { matchLabels: { region: `r${i % 5}` } } } : {},
    failbackStep: 2,
  };
});

const ctx: PassContext = { clusters, inflight: [], nowMs: 0, config: defaultSchedulerConfig };
const gc = (globalThis as { gc?: () => void }).gc;
gc?.();

const l0 = performance.now();
const ledgers = newLedgers(ctx);
const ledgerMs = performance.now() - l0;

const samples = new Float64Array(WORKLOADS);
const decisions: Decision[] = [];
const p0 = performance.now();
for (let i = 0; i < WORKLOADS; i++) {
  const t = process.hrtime.bigint();
  decisions.push(decide(workloads[i]!, {}, undefined, ledgers, ctx));
  samples[i] = Number(process.hrtime.bigint() - t) / 1e6;
}
const passMs = performance.now() - p0;
const sorted = Float64Array.from(samples).sort();
const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;

const byTier = { idc: 0, cloud: 0 };
let unschedulable = 0;
for (const d of decisions) {
  unschedulable += d.unschedulable;
  for (const c of d.clusters) byTier[c.name.startsWith("idc") ? "idc" : "cloud"] += c.replicas;
}

// One snapshot change: room frees up in the last IDC cluster. Only workloads it can affect are re-decided.
const changed = clusters[Math.floor(CLUSTERS * 0.4) - 1]!;
const rank = new Map(clusters.map((c, i) => [c.name, i]));
const summaries = decisions.map((d, i) => ({
  key: String(i),
  clusters: Object.fromEntries(d.clusters.map((c) => [c.name, c.replicas])),
  unschedulable: d.unschedulable,
}));
const r0 = performance.now();
const affected = affectedBy(changed.name, (c) => rank.get(c) ?? 0, summaries);
const fresh = newLedgers(ctx);
for (const k of affected) {
  const i = Number(k);
  decide(workloads[i]!, {}, { replicas: summaries[i]!.clusters }, fresh, ctx);
}
const reactMs = performance.now() - r0;

console.log(
  `scheduler, synthetic fleet: ${CLUSTERS} clusters × ${NODES} nodes, ${WORKLOADS} workloads (node ${process.version}, one core)`,
);
console.log(`  full pass                ${passMs.toFixed(0)} ms (+ ${ledgerMs.toFixed(0)} ms to build the pass's capacity ledgers)`);
console.log(
  `  per decision             p50 ${pct(0.5).toFixed(3)} ms, p99 ${pct(0.99).toFixed(3)} ms, max ${sorted[sorted.length - 1]!.toFixed(2)} ms (target p99 <= 1 ms)`,
);
console.log(`  throughput               ${((WORKLOADS / passMs) * 1000).toFixed(0)} decisions/s (target >= 15,000)`);
console.log(`  outcome                  ${byTier.idc} replicas in IDC, ${byTier.cloud} spilled to cloud, ${unschedulable} unschedulable`);
console.log(
  `  one snapshot change      re-evaluates ${affected.length} of ${WORKLOADS} workloads in ${reactMs.toFixed(0)} ms (ledgers included)`,
);

// A FederatedStatefulSet of 10,000 ordinals over the same fleet: each decision places contiguous
// ranges from the previous ones (first placement, then scale-downs and scale-ups at the top, and
// steady passes that look for a failback step). Ledgers are built per decision, outside the timer,
// as a pass builds them once for all its decisions.
const ORDINALS = Number(process.env["BENCH_ORDINALS"] ?? 10_000);
const ORDINAL_DECISIONS = Number(process.env["BENCH_ORDINAL_DECISIONS"] ?? 500);
const stateful: WorkloadRequest = {
  ...workloads[1]!,
  key: "search/shards",
  replicas: ORDINALS,
  perReplica: { cpu: 2000, memory: 2 ** 30 },
  // Ranges in every member: at most 100 ordinals each, as a sharded engine caps shards per cluster.
  placement: { bounds: Object.fromEntries(clusters.map((c) => [c.name, { max: Math.ceil(ORDINALS / CLUSTERS) }])) },
  nodeSelector: {},
  nodeAffinity: [],
  tolerations: [],
};
// The same 100 clusters with 50 nodes each: ranges of 100 ordinals need 13 of them, and smaller
// ledgers keep the garbage of building one per decision out of the measurement.
const ORDINAL_NODES = Number(process.env["BENCH_ORDINAL_NODES"] ?? 50);
const ordinalCtx: PassContext = { ...ctx, clusters: clusters.map((c) => ({ ...c, nodes: c.nodes.slice(0, ORDINAL_NODES) })) };
const ordinalSamples = new Float64Array(ORDINAL_DECISIONS);
let previousRanges: ReturnType<typeof rangesOf> = [];
let ranges = 0;
for (let i = 0; i < ORDINAL_DECISIONS; i++) {
  const replicas = i % 3 === 1 ? ORDINALS - Math.floor(rand() * 2000) : ORDINALS;
  const fresh = newLedgers(ordinalCtx);
  // Collect the garbage of the ledgers just built outside the timer (a pass builds them once),
  // and let V8's concurrent sweeping finish before the clock starts.
  gc?.();
  await new Promise((r) => setTimeout(r, 10));
  const t = process.hrtime.bigint();
  const d = decideOrdinals(
    { ...stateful, replicas },
    { base: 0, previous: previousRanges, rolling: false, failbackSinceMs: -1e12 },
    {},
    fresh,
    ctx,
  );
  ordinalSamples[i] = Number(process.hrtime.bigint() - t) / 1e6;
  if (process.env["BENCH_TRACE"] && ordinalSamples[i]! > 2) console.log(`decision ${i}: ${ordinalSamples[i]!.toFixed(2)} ms`);
  previousRanges = rangesOf(d.clusters);
  ranges = previousRanges.length;
}
if (process.env["BENCH_TRACE"]) console.log(Array.from(ordinalSamples, (x, i) => `${i}:${x.toFixed(2)}`).join(" "));
// The first decisions warm up the JIT: the steady state is what a long-running scheduler sees.
const WARM_UP = 5;
const ordinalSorted = Float64Array.from(ordinalSamples.subarray(WARM_UP)).sort();
const opct = (p: number) => ordinalSorted[Math.min(ordinalSorted.length - 1, Math.floor(p * ordinalSorted.length))]!;
console.log(
  `  ordinal placement        ${ORDINALS} ordinals over ${CLUSTERS} clusters × ${ORDINAL_NODES} nodes (${ranges} ranges): p50 ${opct(0.5).toFixed(3)} ms, p99 ${opct(0.99).toFixed(3)} ms over ${ORDINAL_DECISIONS - WARM_UP} decisions after ${WARM_UP} to warm up (target p99 <= 2 ms)`,
);
