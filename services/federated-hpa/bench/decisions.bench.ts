/**
 * The autoscaler's own cost, on one core: 1,000 FederatedHPAs whose targets run pods in 100
 * synthetic members (BENCH_PODS per target, default 40, spread over the members), reconciled
 * through the real reconciler with in-memory fakes (no API server, no network). Prints a full
 * sync pass over all of them, the per-decision p50/p99 of the pure decision (target p99 ≤ 1 ms),
 * and the same per reconcile through the in-memory API.
 *   node services/federated-hpa/bench/decisions.bench.ts
 */
import type { FederatedDeployment, FederatedHPA, FederatedStatefulSet } from "@spillway/api";
import { FakeObjects } from "@spillway/kit/testing";
import { federatedHPAReconciler } from "../src/controllers/federated-hpa-controller.ts";
import { autoscale } from "../src/core/autoscale.ts";
import { behaviorOf, historyFromStatus, metricSources } from "../src/core/metric-spec.ts";
import { readyPods, resourceReading, type FleetPod } from "../src/core/pod-readings.ts";

const HPAS = Number(process.env["BENCH_HPAS"] ?? 1000);
const MEMBERS = Number(process.env["BENCH_MEMBERS"] ?? 100);
const PODS = Number(process.env["BENCH_PODS"] ?? 40);
const PASSES = Number(process.env["BENCH_PASSES"] ?? 5);

const hpas = new FakeObjects<FederatedHPA>("FederatedHPA");
const fds = new FakeObjects<FederatedDeployment>("FederatedDeployment");
const podsOf = new Map<string, FleetPod[]>();
let now = Date.parse("2026-11-27T12:00:00Z");

for (let i = 0; i < HPAS; i++) {
  const name = `w${i}`;
  fds.seed({
    apiVersion: "spillway.dev/v1alpha1",
    kind: "FederatedDeployment",
    metadata: { name, namespace: "bench", generation: 1 },
    spec: {
      replicas: PODS,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "c", image: "x" }] } },
    },
    status: { replicas: PODS },
  });
  hpas.seed({
    apiVersion: "spillway.dev/v1alpha1",
    kind: "FederatedHPA",
    metadata: { name, namespace: "bench", generation: 1 },
    spec: {
      scaleTargetRef: { apiVersion: "spillway.dev/v1alpha1", kind: "FederatedDeployment", name },
      minReplicas: 1,
      maxReplicas: 1000,
      metrics: [
        { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 60 } } },
        { type: "Resource", resource: { name: "memory", target: { type: "AverageValue", averageValue: "1Gi" } } },
      ],
    },
  });
  podsOf.set(
    name,
    Array.from({ length: PODS }, (_, p) => ({
      cluster: `m-${(i + p) % MEMBERS}`,
      name: `${name}-${p}`,
      phase: "Running",
      deleting: false,
      ready: "True" as const,
      readyTransitionMs: now - 3_600_000,
      startMs: now - 3_600_000,
      containers: [
        {
          name: "c",
          requestsMilli: { cpu: 1000, memory: 2 ** 30 * 1000 },
          // From half the target to 1.5 times it: a tenth of the targets scale up, the rest hold or wait out a window.
          usageMilli: { cpu: 300 + (i % 10) * 60 + ((p * 13) % 50), memory: 2 ** 29 * 1000 },
        },
      ],
      hasUsage: true,
      usageTimestampMs: now - 5000,
      usageWindowMs: 15_000,
    })),
  );
}

const reconcile = federatedHPAReconciler({
  client: hpas,
  cache: hpas,
  targets: { FederatedDeployment: fds, FederatedStatefulSet: new FakeObjects<FederatedStatefulSet>("FederatedStatefulSet") },
  scale: {
    setReplicas: async (_k, namespace, name, replicas) => {
      const d = fds.get(name, namespace)!;
      fds.seed({ ...d, spec: { ...d.spec, replicas } });
    },
  },
  fleetPods: async (_ns, selector) => ({ pods: podsOf.get(selector.matchLabels!["app"]!)! }),
  fleetPodsMetric: async () => new Map(),
  hostMetrics: { objectMetric: async () => 0, externalMetric: async () => 0 },
  capacity: async (_k, _ns, _n, replicas) => ({ replicas, short: "" }),
  events: { record: async () => undefined },
  syncPeriodMs: 15_000,
  now: () => now,
});

const keys = hpas.list().map((h) => `bench/${h.metadata.name}`);
const samples: number[] = [];
const passes: number[] = [];
for (let pass = 0; pass < PASSES; pass++) {
  now += 15_000;
  const p0 = performance.now();
  for (const key of keys) {
    const t0 = performance.now();
    await reconcile(key);
    if (pass > 0) samples.push(performance.now() - t0);
  }
  passes.push(performance.now() - p0);
}
// The decision alone, as the reconciler makes it from what it read: the fleet's pods in the
// calculator's terms, every metric's proposal, stabilization, policies, capacity. Pure.
const decisions: number[] = [];
for (let pass = 0; pass < PASSES; pass++) {
  now += 15_000;
  for (const h of hpas.list()) {
    const t0 = performance.now();
    const name = h.metadata.name!;
    const pods = podsOf.get(name)!;
    const target = fds.get(name, "bench")!;
    const sources = metricSources(h.spec);
    const behavior = behaviorOf(h.spec);
    autoscale({
      minReplicas: h.spec.minReplicas ?? 1,
      maxReplicas: h.spec.maxReplicas,
      metrics: sources,
      ...(behavior ? { behavior } : {}),
      currentReplicas: target.spec.replicas ?? 1,
      statusReplicas: target.status?.replicas ?? 0,
      readyPods: readyPods(pods),
      readings: sources.map((m) => resourceReading(pods, m.type === "Resource" ? m.name : "cpu")),
      history: historyFromStatus(h.status),
      nowMs: now,
    });
    if (pass > 0) decisions.push(performance.now() - t0);
  }
}
const quantile = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
decisions.sort((a, b) => a - b);
samples.sort((a, b) => a - b);
const q = (p: number) => quantile(samples, p);
const scaled = fds.list().filter((d) => d.spec.replicas !== PODS).length;
console.log(`${HPAS} FederatedHPAs, ${PODS} pods each over ${MEMBERS} members, 2 metrics each (cpu utilization, memory average)`);
console.log(`full sync pass: ${passes.map((p) => `${p.toFixed(0)} ms`).join(", ")} (first pass warms up)`);
console.log(
  `per decision (pure: readings, proposals, stabilization, policies, capacity): p50 ${quantile(decisions, 0.5).toFixed(3)} ms, p99 ${quantile(decisions, 0.99).toFixed(3)} ms (target p99 ≤ 1 ms)`,
);
console.log(
  `per reconcile through the in-memory API (read, decide, scale, status write; the fake's copies included): p50 ${q(0.5).toFixed(3)} ms, p99 ${q(0.99).toFixed(3)} ms`,
);
console.log(`targets rescaled over the passes: ${scaled} of ${HPAS}`);
