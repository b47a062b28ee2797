/**
 * fleet-root benchmark on a private testbed (ports 23000+, kwok pods Ready 2 s after start):
 *  1. wall time of a 24-replica rollout as a FederatedDeployment over three members (8 each)
 *     against the same Deployment with the same strategy in one member, as a ratio (target ≤ 1.25);
 *  2. the demo's full IDC (40 × 4 CPU placed 16/16/8, IDC at 64 of 64 CPU) rolled out with
 *     maxSurge 25%, maxUnavailable 0 — surge fits only in cloud-1, so IDC lends replicas there —
 *     against the same rollout where every member has room (1 CPU per pod, same 16/16/8), as a
 *     ratio (target ≤ 1.5), and the time from the rollout's end until the last loan is home
 *     (failback hold-down 5 s here; 120 s by default);
 *  3. apply → all member Deployments created, over BENCH_WORKLOADS new FederatedDeployments
 *     (default 100; p50/p99, target p99 ≤ 500 ms).
 *   node services/fleet-root/bench/rollout.bench.ts
 */
import { join } from "node:path";
import type { FederatedDeployment } from "@spillway/api";

const root = join(import.meta.dirname, "..", "..", "..");
process.env["SPILLWAY_TESTBED_DIR"] ??= join(root, ".testbed", "bench");
process.env["SPILLWAY_TESTBED_PORT_BASE"] ??= "23000";
process.env["SPILLWAY_TESTBED_POD_READY_DELAY_MS"] ??= "2000";
process.env["SPILLWAY_E2E_KUBECONFIG"] ??= join(process.env["SPILLWAY_TESTBED_DIR"], "kubeconfig");
process.env["SPILLWAY_E2E_NATS_URL"] ??= `nats://127.0.0.1:${Number(process.env["SPILLWAY_TESTBED_PORT_BASE"]) + 40}`;
const WORKLOADS = Number(process.env["BENCH_WORKLOADS"] ?? 100);
/** Pause between applies (ms): 0 applies all at once (a burst); the default paces them like a GitOps sync. */
const INTERVAL_MS = Number(process.env["BENCH_INTERVAL_MS"] ?? 250);
const HOLD_DOWN_S = 5;

const { up, down, loadTopology } = await import("@spillway/testbed");
const { startService, waitReady, stop, freePort, metricValue } = await import("@spillway/e2e/services");
const { kubeConfigFor } = await import("@spillway/e2e/clusters");
const { AppsV1Api, Watch } = await import("@kubernetes/client-node");
const { ResourceClient, updateObject } = await import("@spillway/kit");
const { federatedDeploymentKind } = await import("@spillway/api");

const members = ["idc-1", "idc-2", "cloud-1"] as const;
const { eventually } = await import("@spillway/e2e/helpers");
/** Polls until `fn` returns a value; a bench waits minutes, not the e2e default. */
const until = <T>(fn: () => Promise<T | undefined>, timeoutMs = 900_000) => eventually("bench step", fn, timeoutMs, 100);

const procs: Array<Awaited<ReturnType<typeof startService>>> = [];
try {
  await up(loadTopology(), (l) => console.log(`testbed: ${l}`));
  const gwPort = await freePort();
  procs.push(await startService("cluster-gateway", "bench-gw", [`--grpc-addr=127.0.0.1:${gwPort}`, "--lease-namespace=default"]));
  procs.push(
    await startService("scheduler", "bench-sched", [
      `--gateway-addr=127.0.0.1:${gwPort}`,
      "--lease-namespace=default",
      `--failback-hold-down=${HOLD_DOWN_S}`,
    ]),
  );
  procs.push(await startService("fleet-root", "bench-fr", ["--lease-namespace=default"]));
  await Promise.all(procs.map((p) => waitReady(p, 60_000)));

  const host = kubeConfigFor("host");
  const fds = new ResourceClient<FederatedDeployment>(host, federatedDeploymentKind);
  const apps = kubeConfigFor("idc-1").makeApiClient(AppsV1Api);
  const template = (name: string, image: string, cpu = "250m") => ({
    metadata: { labels: { app: name } },
    spec: { containers: [{ name: "app", image, resources: { requests: { cpu } } }] },
  });
  /** A FederatedDeployment of `app:1` in `default`; `spec` adds strategy, placement… */
  const create = (name: string, replicas: number, spec: Partial<FederatedDeployment["spec"]>, cpu?: string) =>
    fds.create({
      apiVersion: "spillway.dev/v1alpha1",
      kind: "FederatedDeployment",
      metadata: { name, namespace: "default" },
      spec: { replicas, selector: { matchLabels: { app: name } }, template: template(name, "app:1", cpu), ...spec },
    });

  /** The FederatedDeployment reports its rollout complete, as `kubectl rollout status` would read it. */
  const rolledOut = (name: string, replicas: number) =>
    until(async () => {
      const o = await fds.get({ namespace: "default", name });
      const s = o.status;
      return s?.observedGeneration === o.metadata.generation &&
        s?.updatedReplicas === replicas &&
        s?.availableReplicas === replicas &&
        s?.replicas === replicas &&
        s.conditions?.some((c) => c.reason === "NewReplicaSetAvailable")
        ? true
        : undefined;
    });

  const results: string[] = [];
  const borrow: Array<{ label: string; rolloutMs: number; homeMs: number }> = [];
  for (const [label, strategy] of process.env["BENCH_SKIP_ROLLOUT"]
    ? []
    : ([
        ["maxUnavailable 1, maxSurge 0", { maxSurge: 0, maxUnavailable: 1 }],
        ["maxSurge 25%, maxUnavailable 0", { maxSurge: "25%", maxUnavailable: 0 }],
      ] as const)) {
    const tag = label.startsWith("maxUnavailable") ? "u" : "s";
    // One cluster: a plain Deployment in idc-1.
    const single = `single-${tag}`;
    await apps.createNamespacedDeployment({
      namespace: "default",
      body: {
        metadata: { name: single },
        spec: {
          replicas: 24,
          selector: { matchLabels: { app: single } },
          template: template(single, "app:1"),
          strategy: { type: "RollingUpdate", rollingUpdate: strategy },
        },
      },
    });
    const singleDone = (image: string) =>
      until(async () => {
        const d = await apps.readNamespacedDeployment({ namespace: "default", name: single });
        const s = d.status;
        return d.spec!.template.spec!.containers[0]!.image === image &&
          s?.observedGeneration === d.metadata!.generation &&
          s?.updatedReplicas === 24 &&
          s?.availableReplicas === 24 &&
          s?.replicas === 24
          ? true
          : undefined;
      });
    await singleDone("app:1");
    const d = await apps.readNamespacedDeployment({ namespace: "default", name: single });
    d.spec!.template.spec!.containers[0]!.image = "app:2";
    const t0 = performance.now();
    await apps.replaceNamespacedDeployment({ namespace: "default", name: single, body: d });
    await singleDone("app:2");
    const singleMs = performance.now() - t0;
    await apps.deleteNamespacedDeployment({ namespace: "default", name: single });

    // The fleet: 8 per member.
    const fed = `fed-${tag}`;
    await create(fed, 24, {
      strategy: { type: "RollingUpdate", rollingUpdate: strategy },
      placement: { clusters: members.map((m) => ({ name: m, maxReplicas: 8 })) },
    });
    const fedDone = () => rolledOut(fed, 24);
    await fedDone();
    const t1 = performance.now();
    await updateObject(fds, { namespace: "default", name: fed }, (o) => ({ ...o, spec: { ...o.spec, template: template(fed, "app:2") } }));
    await fedDone();
    const fedMs = performance.now() - t1;
    await fds.delete({ namespace: "default", name: fed });
    results.push(
      `  ${label.padEnd(32)} one cluster ${(singleMs / 1000).toFixed(1)} s, fleet of 3 ${(fedMs / 1000).toFixed(1)} s, ratio ${(fedMs / singleMs).toFixed(2)} (target <= 1.25)`,
    );
  }

  // The demo's full IDC against the same layout with room everywhere.
  const home = { "idc-1": 16, "idc-2": 16, "cloud-1": 8 };
  for (const [label, cpu, clusters] of process.env["BENCH_SKIP_BORROW"]
    ? []
    : ([
        [
          "room everywhere (1 CPU per pod)",
          "1",
          [
            { name: "idc-1", maxReplicas: 16 },
            { name: "idc-2", maxReplicas: 16 },
          ],
        ],
        ["full IDC (4 CPU per pod)", "4", undefined],
      ] as const)) {
    const name = `web-${cpu}`;
    await create(
      name,
      40,
      {
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 0 } },
        ...(clusters ? { placement: { clusters: [...clusters] } } : {}),
      },
      cpu,
    );
    const atHome = () =>
      until(async () => {
        for (const m of members) {
          const d = await kubeConfigFor(m).makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace: "default", name });
          if (d.spec?.replicas !== home[m] || d.status?.availableReplicas !== home[m]) return undefined;
        }
        return true;
      });
    await rolledOut(name, 40);
    await atHome();
    const t0 = performance.now();
    await updateObject(fds, { namespace: "default", name }, (o) => ({ ...o, spec: { ...o.spec, template: template(name, "app:2", cpu) } }));
    await rolledOut(name, 40);
    const rolloutMs = performance.now() - t0;
    await atHome();
    const homeMs = performance.now() - t0 - rolloutMs;
    await fds.delete({ namespace: "default", name });
    await until(async () => ((await fds.list()).items.some((i) => i.metadata.name === name) ? undefined : true));
    borrow.push({ label, rolloutMs, homeMs });
  }

  // Apply → member Deployments created.
  const seen = new Map<string, Set<string>>();
  const createdAt = new Map<string, number>();
  const doneAt = new Map<string, number>();
  const watches = await Promise.all(
    members.map((m) =>
      new Watch(kubeConfigFor(m)).watch(
        "/apis/apps/v1/namespaces/default/deployments",
        {},
        (type, obj: { metadata: { name: string } }) => {
          if (type !== "ADDED" || !obj.metadata.name.startsWith("lat-")) return;
          const s = seen.get(obj.metadata.name) ?? new Set<string>();
          s.add(m);
          seen.set(obj.metadata.name, s);
          if (s.size === members.length && !doneAt.has(obj.metadata.name)) doneAt.set(obj.metadata.name, performance.now());
        },
        () => {},
      ),
    ),
  );
  const placedAt = new Map<string, number>();
  watches.push(
    await new Watch(host).watch(
      "/apis/spillway.dev/v1alpha1/namespaces/default/placements",
      {},
      (type, obj: { spec: { workloadRef: { name: string } } }) => {
        if (type === "ADDED") placedAt.set(obj.spec.workloadRef.name, performance.now());
      },
      () => {},
    ),
  );
  for (let i = 0; i < WORKLOADS; i++) {
    const name = `lat-${i}`;
    createdAt.set(name, performance.now());
    await create(name, 3, { placement: { clusters: members.map((m) => ({ name: m, maxReplicas: 1 })) } });
    if (INTERVAL_MS > 0) await new Promise((r) => setTimeout(r, INTERVAL_MS));
  }
  await until(async () => (doneAt.size === WORKLOADS ? true : undefined), 300_000);
  for (const w of watches) w.abort();
  const lat = [...createdAt.entries()].map(([n, t]) => doneAt.get(n)! - t).sort((a, b) => a - b);
  console.log(`fleet-root on the testbed (kwok pods Ready 2 s after start):`);
  for (const r of results) console.log(r);
  for (const b of borrow)
    console.log(
      `  40 x maxSurge 25%/maxUnavailable 0, ${b.label.padEnd(32)} rollout ${(b.rolloutMs / 1000).toFixed(1)} s, then home in ${(b.homeMs / 1000).toFixed(1)} s`,
    );
  if (borrow.length === 2)
    console.log(
      `  full IDC / room everywhere: ratio ${(borrow[1]!.rolloutMs / borrow[0]!.rolloutMs).toFixed(2)} (target <= 1.5); last loan home ${(borrow[1]!.homeMs / 1000).toFixed(1)} s after the rollout (failback hold-down ${HOLD_DOWN_S} s)`,
    );
  const toPlacement = [...createdAt.entries()].map(([n, t]) => (placedAt.get(n) ?? NaN) - t).sort((a, b) => a - b);
  const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(xs.length * p))]!.toFixed(0);
  console.log(`  apply → Placement            p50 ${pct(toPlacement, 0.5)} ms, p99 ${pct(toPlacement, 0.99)} ms (scheduler's share)`);
  console.log(
    `  creating the ${WORKLOADS} objects took ${(Math.max(...createdAt.values()) - Math.min(...createdAt.values())).toFixed(0)} ms`,
  );
  console.log(
    `  apply → member Deployments  p50 ${lat[Math.floor(lat.length / 2)]!.toFixed(0)} ms, p99 ${lat[Math.floor(lat.length * 0.99)]!.toFixed(0)} ms over ${WORKLOADS} FederatedDeployments, 3 members each, one every ${INTERVAL_MS} ms (target p99 <= 500 ms)`,
  );
  const fleetRoot = procs.find((p) => p.name === "fleet-root")!;
  const calls = await Promise.all(
    ["read", "apply", "delete"].map(
      async (verb) => `${verb} ${await metricValue(fleetRoot, "spillway_fleet_root_member_calls_total", { verb })}`,
    ),
  );
  console.log(`  fleet-root member API calls: ${calls.join(", ")}`);
  // Where the time went inside the services: waiting in the work queue, or in the reconcile itself.
  for (const p of procs.slice(1)) {
    const mean = async (m: string) => ((await metricValue(p, `${m}_sum`)) / Math.max(1, await metricValue(p, `${m}_count`))) * 1000;
    console.log(
      `  ${p.name.padEnd(12)} reconciles ${await metricValue(p, "spillway_reconcile_total")}, mean queue wait ${(await mean("spillway_workqueue_queue_duration_seconds")).toFixed(0)} ms, mean reconcile ${(await mean("spillway_workqueue_work_duration_seconds")).toFixed(0)} ms`,
    );
  }
} finally {
  await Promise.all(procs.map((p) => stop(p)));
  await down();
}
