/**
 * Snapshot builder benchmark on a synthetic member: 5,000 nodes and 150,000 pods of 3,000 owners
 * by default (BENCH_NODES, BENCH_PODS, BENCH_OWNERS, BENCH_EVENTS override; bare pods are each
 * their own owner, so BENCH_OWNERS=BENCH_PODS stands for a member of bare pods). Prints the initial build time, the cost per pod
 * event (p50/p99, object conversion included, as on the informer path), heap used after the build,
 * and the serialized snapshot size. Run with --expose-gc for a settled heap figure:
 *   node --expose-gc services/cluster-gateway/bench/snapshot-builder.bench.ts
 */
import { toBinary } from "@bufbuild/protobuf";
import { ClusterSnapshotSchema } from "@spillway/proto";
import { snapshotMessage } from "../src/adapters/snapshot-message.ts";
import { nodeInfo, podInfo, type NodeLike, type PodLike } from "../src/core/object-info.ts";
import { SnapshotBuilder } from "../src/core/snapshot-builder.ts";

const NODES = Number(process.env["BENCH_NODES"] ?? 5000);
const PODS = Number(process.env["BENCH_PODS"] ?? 150_000);
const EVENTS = Number(process.env["BENCH_EVENTS"] ?? 200_000);
const OWNERS = Number(process.env["BENCH_OWNERS"] ?? 3000);

// A deterministic generator so runs are comparable.
let seed = 42;
const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;

function makeNode(i: number): NodeLike {
  return {
    metadata: {
      name: `node-${i}`,
      labels: {
        "kubernetes.io/hostname": `node-${i}`,
        "topology.kubernetes.io/zone": `z${i % 3}`,
        ...(i % 10 === 0 ? { "nvidia.com/gpu.present": "true" } : {}),
      },
    },
    spec: i % 50 === 0 ? { taints: [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }] } : {},
    status: {
      allocatable: {
        cpu: "64",
        memory: "256Gi",
        "ephemeral-storage": "500Gi",
        pods: "110",
        ...(i % 10 === 0 ? { "nvidia.com/gpu": "8" } : {}),
      },
      conditions: [{ type: "Ready", status: "True" }],
    },
  };
}

function makePod(i: number, phase = "Running"): PodLike {
  const bound = i % 50 !== 0;
  return {
    metadata: {
      uid: `uid-${i}`,
      namespace: `ns-${i % 200}`,
      name: `pod-${i}`,
      ownerReferences: [{ kind: "ReplicaSet", name: `rs-${i % OWNERS}`, controller: true }],
    },
    spec: {
      nodeName: bound ? `node-${i % NODES}` : undefined,
      containers: [
        { resources: { requests: { cpu: `${100 + (i % 8) * 50}m`, memory: `${128 + (i % 4) * 128}Mi` } } },
        ...(i % 5 === 0 ? [{ resources: { requests: { cpu: "50m", memory: "64Mi" } } }] : []),
      ],
      ...(i % 7 === 0 ? { initContainers: [{ resources: { requests: { cpu: "500m" } } }] } : {}),
    },
    status: bound
      ? { phase }
      : {
          phase: "Pending",
          conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", lastTransitionTime: "2026-11-23T10:00:00Z" }],
        },
  };
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

const gc = (globalThis as { gc?: () => void }).gc;
let nodes = Array.from({ length: NODES }, (_, i) => makeNode(i));
let pods = Array.from({ length: PODS }, (_, i) => makePod(i));

const t0 = performance.now();
const b = new SnapshotBuilder("synthetic");
for (const n of nodes) b.upsertNode(nodeInfo(n));
for (const p of pods) b.upsertPod(podInfo(p));
const buildMs = performance.now() - t0;
// What stays is what the gateway holds per member: the builder (informer caches aside).
nodes = [];
pods = [];
gc?.();
const heapBuilder = process.memoryUsage().heapUsed;

// Pod events as an informer delivers them: a pod finishes, a pod moves (delete + add), a new pod.
const samples = new Float64Array(EVENTS);
const variants = Array.from({ length: 1024 }, (_, k) => makePod(k, "Succeeded"));
for (let e = 0; e < EVENTS; e++) {
  const i = Math.floor(rand() * PODS);
  const kind = e % 3;
  const obj = kind === 0 ? { ...variants[e & 1023]!, metadata: { ...variants[e & 1023]!.metadata, uid: `uid-${i}` } } : makePod(i);
  const start = process.hrtime.bigint();
  if (kind === 0) b.upsertPod(podInfo(obj));
  else if (kind === 1) b.deletePod(`uid-${i}`);
  else b.upsertPod(podInfo(obj));
  samples[e] = Number(process.hrtime.bigint() - start) / 1000;
}
samples.sort();

// A snapshot as the publisher takes one after each burst of changes; the median of a few.
const takes: number[] = [];
let snapshot = b.snapshot(Date.now());
for (let k = 0; k < 9; k++) {
  const t = performance.now();
  snapshot = b.snapshot(Date.now());
  takes.push(performance.now() - t);
}
takes.sort((x, y) => x - y);
const s0 = performance.now();
const bytes = toBinary(ClusterSnapshotSchema, snapshotMessage(snapshot));
const serializeMs = performance.now() - s0;
gc?.();
const heapTotal = process.memoryUsage().heapUsed;

const mb = (n: number) => (n / 2 ** 20).toFixed(1);
console.log(`snapshot builder, synthetic member: ${NODES} nodes, ${PODS} pods, ${EVENTS} pod events (node ${process.version})`);
console.log(`  initial build            ${buildMs.toFixed(0)} ms (target < 2000 ms)`);
console.log(
  `  per pod event            p50 ${percentile(samples, 0.5).toFixed(2)} µs, p99 ${percentile(samples, 0.99).toFixed(2)} µs, max ${samples[EVENTS - 1]!.toFixed(0)} µs (target p99 <= 20 µs)`,
);
console.log(
  `  heap used                ${mb(heapBuilder)} MiB after the build, ${mb(heapTotal)} MiB after the events and a snapshot (target < 300 MB)${gc ? "" : " [run with --expose-gc for settled figures]"}`,
);
console.log(
  `  snapshot                 ${snapshot.nodes.length} nodes, ${snapshot.owners.length} owners, ${snapshot.pending.length} pending groups, ${mb(bytes.length)} MiB protobuf (${(bytes.length / snapshot.nodes.length).toFixed(0)} B/node), taken in ${takes[4]!.toFixed(0)} ms (median of 9), serialized in ${serializeMs.toFixed(0)} ms`,
);
