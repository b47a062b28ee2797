/**
 * Snapshot maintenance against a real API server: brings up a private testbed (host + one member
 * `bench-1` with BENCH_NODES kwok nodes, default 500), creates BENCH_PODS pods (default 10,000)
 * bound to them, then measures a MemberConnection: time to list and build, heap of the process
 * (informer caches included), and the lag from a pod's creation to the snapshot holding it.
 *   node --expose-gc services/cluster-gateway/bench/real-member.bench.ts
 */
import { join } from "node:path";

const NODES = Number(process.env["BENCH_NODES"] ?? 500);
const PODS = Number(process.env["BENCH_PODS"] ?? 10_000);
const LAG_PODS = Number(process.env["BENCH_LAG_PODS"] ?? 500);

process.env["SPILLWAY_TESTBED_DIR"] ??= join(import.meta.dirname, "..", "..", "..", ".testbed", "bench");
const { up, down, validateTopology } = await import("@spillway/testbed");
const { parseMemberKubeconfig } = await import("@spillway/kit");
const { MemberConnection } = await import("../src/adapters/member-connection.ts");
const { snapshotMessage } = await import("../src/adapters/snapshot-message.ts");
const { toBinary } = await import("@bufbuild/protobuf");
const { ClusterSnapshotSchema } = await import("@spillway/proto");
const { CoreV1Api } = await import("@kubernetes/client-node");
const { createLogger } = await import("@spillway/telemetry");
const { readFileSync } = await import("node:fs");

const topology = validateTopology({
  portBase: Number(process.env["SPILLWAY_TESTBED_PORT_BASE"] ?? 23000),
  podReadyDelayMs: 0,
  clusters: [
    { name: "host", role: "host" },
    { name: "bench-1", role: "member", tier: "cloud", priority: 100, nodePools: [{ count: NODES, cpu: "64", memory: "256Gi", pods: 250 }] },
  ],
});

async function pool<T>(items: T[], concurrency: number, fn: (t: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

const ms = (t: number) => `${t.toFixed(0)} ms`;
try {
  const t0 = performance.now();
  const fed = await up(topology, (l) => console.log(`testbed: ${l}`));
  const member = fed.clusters.find((c) => c.spec.name === "bench-1")!;
  console.log(`testbed with ${NODES} kwok nodes up in ${ms(performance.now() - t0)}`);

  const kc = parseMemberKubeconfig(readFileSync(member.kubeconfig, "utf8"), "bench");
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: "bench" } } });
  const pod = (i: number) => ({
    metadata: { name: `p-${i}`, namespace: "bench", labels: { app: `a${i % 50}` } },
    spec: {
      nodeName: `bench-1-node-${i % NODES}`,
      containers: [{ name: "c", image: "x", resources: { requests: { cpu: "100m", memory: "128Mi" } } }],
    },
  });
  const c0 = performance.now();
  await pool(
    Array.from({ length: PODS }, (_, i) => i),
    32,
    (i) => core.createNamespacedPod({ namespace: "bench", body: pod(i) }),
  );
  console.log(`created ${PODS} pods in ${ms(performance.now() - c0)}`);

  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const log = createLogger("bench", "warn");
  let onChange = () => {};
  const conn = new MemberConnection("bench-1", kc, "bench", log, () => onChange());
  const s0 = performance.now();
  conn.start();
  await new Promise<void>((resolve) => {
    onChange = () => conn.synced && conn.builder.podCount >= PODS && resolve();
  });
  const syncMs = performance.now() - s0;
  gc?.();
  const heap1 = process.memoryUsage().heapUsed;
  const snap = conn.builder.snapshot(Date.now());
  const bytes = toBinary(ClusterSnapshotSchema, snapshotMessage(snap));

  // Lag: create pods one at a time, timing from the API's answer to the builder holding the pod.
  const lags: number[] = [];
  for (let i = PODS; i < PODS + LAG_PODS; i++) {
    const target = conn.builder.podCount + 1;
    const seen = new Promise<void>((resolve) => {
      onChange = () => conn.builder.podCount >= target && resolve();
    });
    await core.createNamespacedPod({ namespace: "bench", body: pod(i) });
    const created = performance.now();
    await seen;
    lags.push(performance.now() - created);
  }
  lags.sort((a, b) => a - b);
  await conn.stop();

  const mb = (n: number) => (n / 2 ** 20).toFixed(1);
  console.log(`snapshot maintenance against a real kube-apiserver: ${NODES} nodes, ${PODS} pods`);
  console.log(`  list + initial build     ${ms(syncMs)}`);
  console.log(`  heap                     +${mb(heap1 - heap0)} MiB for the connection (informer caches of full objects + builder)`);
  console.log(`  snapshot                 ${snap.nodes.length} nodes, ${mb(bytes.length)} MiB protobuf`);
  console.log(
    `  create → snapshot lag    p50 ${lags[Math.floor(lags.length / 2)]!.toFixed(1)} ms, p99 ${lags[Math.floor(lags.length * 0.99)]!.toFixed(1)} ms over ${LAG_PODS} pods (watch delivery included)`,
  );
} finally {
  await down();
}
