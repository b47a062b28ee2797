/**
 * The federated autoscaler on a private testbed (ports 25000+, kwok pods Ready 2 s after start),
 * every part real: kwok's usage → metrics-server → cluster-gateway (one PodMetrics list per member
 * per 15 s) → federated-hpa (15 s sync) → scheduler → fleet-root → member Deployments → pods.
 *
 * 1. The whole chain of one scale-up, timed link by link; the link Spillway owns is the gateway's
 *    announcement (NATS) → replicas written (target ≤ 1 s), and without NATS ≤ one sync period.
 * 2. Member API requests for metrics per minute with 1 and with 1 + BENCH_HPAS (default 200)
 *    FederatedHPAs that read CPU and a Pods metric, besides the two of step 1: PodMetrics lists
 *    counted by each member's own metrics-server, Pods metric reads by its custom metrics adapter
 *    (each one's apiserver_request_total; the member's kube-apiserver proxies them uncounted).
 * 3. Autoscaler syncs per minute against what the sync period asks (BENCH_HPA_SYNCS sets
 *    --concurrent-syncs), the time a sync takes, what it waits on, and the CPU per process.
 *   node services/federated-hpa/bench/fleet.bench.ts
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import type { FederatedDeployment, FederatedHPA, Placement } from "@spillway/api";

const root = join(import.meta.dirname, "..", "..", "..");
process.env["SPILLWAY_TESTBED_DIR"] ??= join(root, ".testbed", "bench-hpa");
process.env["SPILLWAY_TESTBED_PORT_BASE"] ??= "25000";
process.env["SPILLWAY_TESTBED_POD_READY_DELAY_MS"] ??= "2000";
process.env["SPILLWAY_E2E_KUBECONFIG"] ??= join(process.env["SPILLWAY_TESTBED_DIR"], "kubeconfig");
const MANY = Number(process.env["BENCH_HPAS"] ?? 200);
const WINDOW_MS = Number(process.env["BENCH_WINDOW_SECONDS"] ?? 60) * 1000;
/** federated-hpa's --concurrent-syncs (its default when unset). */
const SYNCS = process.env["BENCH_HPA_SYNCS"];
const SYNC_PERIOD_S = 15;

const { up, down, loadTopology, clusterPorts, natsPorts, kubectl, bin } = await import("@spillway/testbed");
// The testbed's NATS port follows its clusters; the e2e helpers read it when imported.
process.env["SPILLWAY_E2E_NATS_URL"] ??= `nats://127.0.0.1:${natsPorts(loadTopology()).client}`;
const { get: httpsGet } = await import("node:https");
const { startService, waitReady, stop, freePort } = await import("@spillway/e2e/services");
const { kubeConfigFor, natsUrl } = await import("@spillway/e2e/clusters");
const { eventually } = await import("@spillway/e2e/helpers");
const { cpuSample, cpuUse } = await import("@spillway/e2e/cpu-use");
const { AppsV1Api, CoreV1Api, PatchStrategy, setHeaderOptions } = await import("@kubernetes/client-node");
const { Informer, ResourceClient } = await import("@spillway/kit");
const { federatedDeploymentKind, federatedHPAKind, placementKind } = await import("@spillway/api");
const { Bus, topics } = await import("@spillway/bus");
const { parseQuantity } = await import("@spillway/resources");

const members = ["idc-1", "idc-2", "cloud-1"] as const;
const until = <T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 300_000) => eventually(what, fn, timeoutMs, 50);
// Made once the testbed (and its kubeconfig) is up.
let host: ReturnType<typeof kubeConfigFor>;
let fds: InstanceType<typeof ResourceClient<FederatedDeployment>>;
let hpas: InstanceType<typeof ResourceClient<FederatedHPA>>;
let placements: InstanceType<typeof ResourceClient<Placement>>;
const NS = "bench";

const fd = (name: string, replicas: number): FederatedDeployment => ({
  apiVersion: "spillway.dev/v1alpha1",
  kind: "FederatedDeployment",
  metadata: { name, namespace: NS },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name }, annotations: { "kwok.x-k8s.io/usage-cpu": "100m" } },
      spec: { containers: [{ name: "app", image: "x", resources: { requests: { cpu: "200m" } } }] },
    },
  },
});
const hpa = (name: string): FederatedHPA => ({
  apiVersion: "spillway.dev/v1alpha1",
  kind: "FederatedHPA",
  metadata: { name, namespace: NS },
  spec: {
    scaleTargetRef: { apiVersion: "spillway.dev/v1alpha1", kind: "FederatedDeployment", name },
    minReplicas: 1,
    maxReplicas: 20,
    metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 60 } } }],
    behavior: { scaleUp: { policies: [{ type: "Pods", value: 20, periodSeconds: 15 }] } },
  },
});

/** An autoscaler of CPU and a Pods metric (none written: the adapter answers with no values, and CPU decides). */
const podsMetricHpa = (name: string): FederatedHPA => {
  const h = hpa(name);
  h.spec.metrics = [
    ...(h.spec.metrics ?? []),
    { type: "Pods", pods: { metric: { name: "requests_per_second" }, target: { type: "AverageValue", averageValue: "10" } } },
  ];
  return h;
};

async function setUsage(app: string, cpu: string): Promise<void> {
  for (const m of members) {
    const core = kubeConfigFor(m).makeApiClient(CoreV1Api);
    const pods = (await core.listNamespacedPod({ namespace: NS, labelSelector: `app=${app}` })).items;
    for (const p of pods)
      await core.patchNamespacedPod(
        { namespace: NS, name: p.metadata!.name!, body: { metadata: { annotations: { "kwok.x-k8s.io/usage-cpu": cpu } } } },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      );
  }
}

/** Each member's metrics-server (`metricsServer`) or custom metrics adapter (`metricsAdapter`) metrics text, read with the member's admin token. */
async function memberMetrics(server: "metricsServer" | "metricsAdapter"): Promise<Record<string, string>> {
  const topology = loadTopology();
  const out: Record<string, string> = {};
  for (const m of members) {
    const port = clusterPorts(
      topology,
      topology.clusters.findIndex((c) => c.name === m),
    )[server];
    const token = kubeConfigFor(m).getCurrentUser()?.token;
    out[m] = await new Promise<string>((resolve, reject) =>
      httpsGet(`https://127.0.0.1:${port}/metrics`, { headers: { Authorization: `Bearer ${token}` }, rejectUnauthorized: false }, (res) => {
        let body = "";
        res.on("data", (d: Buffer) => (body += d.toString()));
        res.on("end", () => resolve(body));
      }).on("error", reject),
    );
  }
  return out;
}

/** The sum of a metric's series whose labels hold every one of `labels`. */
const sumOf = (text: string, name: string, labels: string[]) =>
  [...text.matchAll(new RegExp(`^${name}\\{([^}]*)\\} ([0-9.eE+-]+)`, "gm"))]
    .filter((x) => labels.every((l) => x[1]!.includes(l)))
    .reduce((n, x) => n + Number(x[2]), 0);

/** One scale-up of `app` from 2 replicas, each link timed from the moment usage was raised. */
async function chain(app: string, bus: Awaited<ReturnType<typeof Bus.connect>>): Promise<Record<string, number>> {
  await fds.create(fd(app, 2));
  await hpas.create(hpa(app));
  await until(`${app}: autoscaler active`, async () => {
    const h = await hpas.get({ namespace: NS, name: app });
    return h.status?.conditions?.some((c) => c.type === "ScalingActive" && c.status === "True") ? true : undefined;
  });
  const marks: Record<string, number> = {};
  const mark = (what: string) => (marks[what] ??= performance.now());
  let writeReplicas = 0;
  bus.subscribe(topics.memberMetrics, (m) => {
    // The first list after metrics-server has the new usage: earlier ones announce other changes.
    if (marks["metrics-server reports it"] !== undefined && m.namespaces.includes(NS)) mark("gateway announced new usage (NATS)");
  });
  const fdWatch = new Informer<FederatedDeployment>(host, { path: fds.path, list: () => fds.list() as never });
  fdWatch.addHandler((_t, o) => {
    if (o.metadata.name === app && marks["raised"] !== undefined && (o.spec.replicas ?? 0) > 2) {
      writeReplicas = o.spec.replicas!;
      mark("replicas written (FederatedDeployment scale)");
    }
  });
  const plWatch = new Informer<Placement>(host, { path: placements.path, list: () => placements.list() as never });
  plWatch.addHandler((_t, p) => {
    const placed = p.spec.clusters.reduce((s, c) => s + c.replicas, 0);
    if (p.spec.workloadRef.name === app && writeReplicas > 0 && placed === writeReplicas) mark("placed (Placement)");
  });
  await Promise.all([fdWatch.start(), plWatch.start()]);
  const t0 = performance.now();
  marks["raised"] = t0;
  await setUsage(app, "600m");
  // metrics-server has the new usage once any of the app's pods reads ≥ 500m.
  void until(`${app}: metrics-server sees the usage`, async () => {
    for (const m of members) {
      const raw = await kubectl(m, ["get", "--raw", `/apis/metrics.k8s.io/v1beta1/namespaces/${NS}/pods?labelSelector=app%3D${app}`]);
      const items = (JSON.parse(raw) as { items: Array<{ containers: Array<{ usage: { cpu: string } }> }> }).items;
      if (items.some((i) => i.containers.some((c) => parseQuantity(c.usage.cpu) >= 0.5))) return mark("metrics-server reports it");
    }
    return undefined;
  });
  await until(`${app}: replicas written`, async () => (writeReplicas > 0 ? true : undefined));
  const apps = members.map((m) => kubeConfigFor(m).makeApiClient(AppsV1Api));
  await until(`${app}: member Deployments at ${writeReplicas}`, async () => {
    const specs = await Promise.all(
      apps.map((a) =>
        a.readNamespacedDeployment({ namespace: NS, name: app }).then(
          (d) => d.spec?.replicas ?? 0,
          () => 0,
        ),
      ),
    );
    return specs.reduce((s, n) => s + n, 0) === writeReplicas ? mark("member Deployments scaled") : undefined;
  });
  await until(`${app}: pods Running`, async () => {
    const ready = await Promise.all(
      apps.map((a) =>
        a.readNamespacedDeployment({ namespace: NS, name: app }).then(
          (d) => d.status?.readyReplicas ?? 0,
          () => 0,
        ),
      ),
    );
    return ready.reduce((s, n) => s + n, 0) === writeReplicas ? mark("pods Running and Ready in members (kwok)") : undefined;
  });
  await Promise.all([fdWatch.stop(), plWatch.stop()]);
  return Object.fromEntries(Object.entries(marks).map(([k, v]) => [k, v - t0]));
}

const print = (title: string, marks: Record<string, number>) => {
  console.log(title);
  for (const [k, v] of Object.entries(marks).sort((a, b) => a[1] - b[1])) console.log(`  +${(v / 1000).toFixed(2).padStart(6)} s  ${k}`);
  const announce = marks["gateway announced new usage (NATS)"];
  const write = marks["replicas written (FederatedDeployment scale)"];
  if (announce !== undefined && write !== undefined) console.log(`  announcement → replicas written: ${(write - announce).toFixed(0)} ms`);
};

const procs: Array<Awaited<ReturnType<typeof startService>>> = [];
let privateNats: ReturnType<typeof spawn> | undefined;
try {
  await up(loadTopology(), (l) => console.log(`testbed: ${l}`));
  host = kubeConfigFor("host");
  fds = new ResourceClient<FederatedDeployment>(host, federatedDeploymentKind);
  hpas = new ResourceClient<FederatedHPA>(host, federatedHPAKind);
  placements = new ResourceClient<Placement>(host, placementKind);
  await kubectl("host", ["create", "namespace", NS]);
  for (const m of members) await kubectl(m, ["create", "namespace", NS]);
  const gwPort = await freePort();
  const schedPort = await freePort();
  const lease = ["--lease-namespace=default"];
  procs.push(await startService("cluster-gateway", "bench-gw", [...lease, `--grpc-addr=127.0.0.1:${gwPort}`]));
  procs.push(
    await startService("scheduler", "bench-sched", [...lease, `--gateway-addr=127.0.0.1:${gwPort}`, `--grpc-addr=127.0.0.1:${schedPort}`]),
  );
  procs.push(await startService("fleet-root", "bench-fr", lease));
  const hpaArgs = [
    ...lease,
    "--lease-duration=3",
    `--gateway-addr=127.0.0.1:${gwPort}`,
    `--scheduler-addr=127.0.0.1:${schedPort}`,
    ...(SYNCS ? [`--concurrent-syncs=${SYNCS}`] : []),
  ];
  let fhpa = await startService("federated-hpa", "bench-hpa", hpaArgs);
  procs.push(fhpa);
  await Promise.all(procs.map((p) => waitReady(p, 60_000)));
  const bus = await Bus.connect({ servers: natsUrl, name: "bench" });

  print("1a. one scale-up, with NATS (gateway lists every 15 s, federated-hpa syncs every 15 s):", await chain("chain-nats", bus));

  // Without NATS: the autoscaler's NATS server stops; the bench still hears the gateway on the real one.
  const natsPort = await freePort();
  privateNats = spawn(bin("nats-server"), ["-a", "127.0.0.1", "-p", String(natsPort)], { stdio: "ignore" });
  await stop(fhpa, "SIGKILL");
  fhpa = await startService("federated-hpa", "bench-hpa-no-nats", [...hpaArgs, `--nats-url=nats://127.0.0.1:${natsPort}`]);
  procs.push(fhpa);
  await waitReady(fhpa);
  privateNats.kill("SIGKILL");
  print("1b. one scale-up, NATS down for the autoscaler (converges by its 15 s sync period):", await chain("chain-no-nats", bus));
  await stop(fhpa);
  fhpa = await startService("federated-hpa", "bench-hpa-2", hpaArgs);
  procs.push(fhpa);
  await waitReady(fhpa);

  // 2. Member metrics requests per minute: one autoscaler with a Pods metric, then MANY more.
  // The autoscaler's own syncs: its work queue's count and time (a sync is one key's reconcile).
  const syncs = async () => {
    const text = await (await fetch(`${fhpa.healthUrl}/metrics`)).text();
    const mine = ['controller="federated-hpa"'];
    return {
      count: sumOf(text, "spillway_workqueue_work_duration_seconds_count", mine),
      seconds: sumOf(text, "spillway_workqueue_work_duration_seconds_sum", mine),
    };
  };
  const serviceOf = () => new Map(procs.map((p) => [p.child.pid!, p.identity]));
  const cpu = () => {
    const named = serviceOf();
    return cpuSample((pid, command) => named.get(pid) ?? (command === "kube-apiserver" ? "kube-apiservers" : command));
  };
  const mean = (seconds: number, n: number) => (n ? (seconds / n) * 1000 : 0);
  const perMember = (texts: Record<string, string>, name: string, labels: string[]) =>
    Object.fromEntries(members.map((m) => [m, sumOf(texts[m]!, name, labels)]));
  const counts = async () => {
    const servers = await memberMetrics("metricsServer");
    // The adapter counts a `pods/*` read as resource `*`; members serve only the gateway's Pods reads.
    const adapters = await memberMetrics("metricsAdapter");
    const host = await kubectl("host", ["get", "--raw", "/metrics"]);
    const status = ['resource="federatedhpas"', 'subresource="status"'];
    const custom = ['group="custom.metrics.k8s.io"'];
    return {
      cpu: cpu(),
      lists: perMember(servers, "apiserver_request_total", ['group="metrics.k8s.io"', 'resource="pods"']),
      reads: perMember(adapters, "apiserver_request_total", custom),
      readSeconds: Object.values(perMember(adapters, "apiserver_request_duration_seconds_sum", custom)).reduce((a, b) => a + b, 0),
      readCount: Object.values(perMember(adapters, "apiserver_request_duration_seconds_count", custom)).reduce((a, b) => a + b, 0),
      statusSeconds: sumOf(host, "apiserver_request_duration_seconds_sum", status),
      statusCount: sumOf(host, "apiserver_request_duration_seconds_count", status),
      syncs: await syncs(),
    };
  };
  const perMinute = async () => {
    const a = await counts();
    await new Promise((r) => setTimeout(r, WINDOW_MS));
    const b = await counts();
    const rate = (x: Record<string, number>, y: Record<string, number>) =>
      Object.fromEntries(members.map((m) => [m, ((y[m]! - x[m]!) * 60_000) / WINDOW_MS]));
    const n = b.syncs.count - a.syncs.count;
    return {
      cpu: cpuUse(b.cpu, a.cpu),
      lists: rate(a.lists, b.lists),
      reads: rate(a.reads, b.reads),
      syncsPerMinute: (n * 60_000) / WINDOW_MS,
      meanSyncMs: n ? ((b.syncs.seconds - a.syncs.seconds) / n) * 1000 : 0,
      // Where a sync waits: a member's answer to a Pods metric read, the host's to a status write.
      meanReadMs: mean(b.readSeconds - a.readSeconds, b.readCount - a.readCount),
      meanStatusWriteMs: mean(b.statusSeconds - a.statusSeconds, b.statusCount - a.statusCount),
    };
  };
  const autoscale = async (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      await fds.create(fd(`w${i}`, 1));
      await hpas.create(podsMetricHpa(`w${i}`));
    }
    await until(`${to} autoscalers active`, async () => {
      const active = (await hpas.list()).items.filter(
        (h) => h.metadata.name!.startsWith("w") && h.status?.conditions?.some((c) => c.type === "ScalingActive" && c.status === "True"),
      ).length;
      return active >= to ? true : undefined;
    });
  };
  await autoscale(0, 1);
  const few = await perMinute();
  await autoscale(1, 1 + MANY);
  const many = await perMinute();
  console.log(`2. Metrics requests per minute each member served (its metrics-server's and its adapter's own counts):`);
  for (const m of members)
    console.log(
      `  ${m.padEnd(8)} PodMetrics lists: ${few.lists[m]!.toFixed(1)}/min with 1 autoscaler, ${many.lists[m]!.toFixed(1)}/min with ${1 + MANY}` +
        `   Pods metric reads: ${few.reads[m]!.toFixed(1)}/min, ${many.reads[m]!.toFixed(1)}/min`,
    );
  const waits = (r: typeof many) =>
    `; a member answers a Pods read in ${r.meanReadMs.toFixed(0)} ms, the host a status write in ${r.meanStatusWriteMs.toFixed(0)} ms`;
  const wanted = (n: number) => (n + 2) * (60 / SYNC_PERIOD_S);
  console.log(
    `3. Autoscaler syncs per minute (--concurrent-syncs=${SYNCS ?? "default"}; every ${SYNC_PERIOD_S} s would be the wanted rate):`,
  );
  console.log(
    `  with 1 (+2):    ${few.syncsPerMinute.toFixed(0)}/min of ${wanted(1)} wanted, a sync takes ${few.meanSyncMs.toFixed(0)} ms` +
      waits(few),
  );
  console.log(
    `  with ${1 + MANY} (+2): ${many.syncsPerMinute.toFixed(0)}/min of ${wanted(1 + MANY)} wanted, a sync takes ${many.meanSyncMs.toFixed(0)} ms` +
      waits(many),
  );
  const top = (u: typeof many.cpu) =>
    `${Math.round(u.busy * 100)} % busy; ` +
    Object.entries(u.seconds)
      .slice(0, 6)
      .map(([g, sec]) => `${g} ${sec.toFixed(0)} s`)
      .join(", ");
  console.log(`  CPU over the minute with 1: ${top(few.cpu)}`);
  console.log(`  CPU over the minute with ${1 + MANY}: ${top(many.cpu)}`);
  console.log(`  federated-hpa itself holds no member credentials: the gateway lists PodMetrics once per interval,`);
  console.log(`  and reads a namespace's Pods metric once per interval in each member, shared by the autoscalers that ask.`);
  await bus.close();
} finally {
  privateNats?.kill("SIGKILL");
  await Promise.all(procs.map((p) => stop(p)));
  await down();
}
