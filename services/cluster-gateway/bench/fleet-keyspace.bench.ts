/**
 * The fleet keyspace's cost per write as the keys it holds grow: for each size (BENCH_KEYS,
 * default "10000,50000,100000"), creates that many pod keys, then times BENCH_WRITES further
 * writes (default 100,000: a mix of updates, creates and deletes, as a member's pods churn) with
 * the gateway's default window of 20,000 changes full. Prints µs per write, p50/p99 and the
 * largest, per size; flat per-write figures across sizes are the claim it checks:
 *   node services/cluster-gateway/bench/fleet-keyspace.bench.ts
 */
import { FleetKeyspace } from "../src/core/fleet-keyspace.ts";

const SIZES = (process.env["BENCH_KEYS"] ?? "10000,50000,100000").split(",").map(Number);
const WRITES = Number(process.env["BENCH_WRITES"] ?? 100_000);
const WINDOW = Number(process.env["BENCH_WINDOW"] ?? 20_000);

// A deterministic generator so runs are comparable.
let seed = 7;
const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;

// A pod's stored JSON is a few KiB; the value's size matters to GC, not to the keyspace's own work.
const value = (i: number, v: number) =>
  `{"kind":"Pod","metadata":{"name":"pod-${i}","resourceVersion":"${v}"},"pad":"${"x".repeat(2000)}"}`;
const key = (i: number) => `/registry/pods/ns-${i % 200}/pod-${i.toString(36)}`;

const quantile = (sorted: Float64Array, q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

const rows = [];
for (const size of SIZES) {
  const ks = new FleetKeyspace({ clockMicros: () => Date.now() * 1000, windowSize: WINDOW });
  const fillStart = performance.now();
  for (let i = 0; i < size; i++) ks.put(key(i), value(i, 0));
  const fillMs = performance.now() - fillStart;
  let next = size;
  const times = new Float64Array(WRITES);
  for (let w = 0; w < WRITES; w++) {
    const r = rand();
    const t0 = performance.now();
    if (r < 0.8) ks.put(key(Math.floor(rand() * next)), value(w, w + 1));
    else if (r < 0.9) ks.put(key(next++), value(next, 0));
    else ks.delete(key(Math.floor(rand() * next)));
    times[w] = performance.now() - t0;
  }
  const total = times.reduce((a, b) => a + b, 0);
  times.sort();
  rows.push({
    keys: size,
    "fill µs/key": +((fillMs * 1000) / size).toFixed(2),
    "write µs (mean)": +((total * 1000) / WRITES).toFixed(2),
    "p50 µs": +(quantile(times, 0.5) * 1000).toFixed(2),
    "p99 µs": +(quantile(times, 0.99) * 1000).toFixed(2),
    "max ms": +times[times.length - 1]!.toFixed(2),
    "held keys": ks.size,
  });
}
console.table(rows);
