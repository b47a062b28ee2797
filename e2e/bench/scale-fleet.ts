/**
 * One fleet of the scale benchmark (scale.bench.ts runs it once per size): a private testbed of
 * SPILLWAY_TESTBED_MEMBERS (IDC,CLOUD) real members, the real cluster-gateway, scheduler and
 * fleet-root as processes, then
 *   1. apply → all member objects created: BENCH_WORKLOADS FederatedDeployments (default 100), each
 *      with one replica in every member (so N member Deployments each), paced BENCH_INTERVAL_MS
 *      apart, then as many again all at once, with the time the host took to accept those creates,
 *      and apply → Placement (the scheduler's share of it); then the floor under both: the same
 *      member Deployments sent straight to the members, paced (at the very moments Spillway's paced
 *      phase sent its workloads) and at once, timed the same way;
 *   2. each service's resident memory, and per member;
 *   3. where the cores went in each phase (CPU seconds of every process, grouped; cpu-use.ts), and
 *      with BENCH_CPU_PROFILE=<dir> a V8 CPU profile of each service;
 *   4. the watches and connections each member serves to the control plane (its API server's own
 *      count of WATCH requests, and the services' sockets to it, each against the count before
 *      the services started).
 * Prints one JSON line (the last line of its output) for the driver.
 */
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import type { FederatedDeployment } from "@spillway/api";
import type { FleetResult } from "./fleet-result.ts";

const root = join(import.meta.dirname, "..", "..");
process.env["SPILLWAY_TESTBED_DIR"] ??= join(root, ".testbed", "bench-scale");
process.env["SPILLWAY_TESTBED_PORT_BASE"] ??= "26000";
process.env["SPILLWAY_TESTBED_METRICS"] = "0";
process.env["SPILLWAY_TESTBED_POD_READY_DELAY_MS"] ??= "0";
process.env["SPILLWAY_E2E_KUBECONFIG"] ??= join(process.env["SPILLWAY_TESTBED_DIR"], "kubeconfig");
const WORKLOADS = Number(process.env["BENCH_WORKLOADS"] ?? 100);
const INTERVAL_MS = Number(process.env["BENCH_INTERVAL_MS"] ?? 250);

const { up, down, loadTopology, natsPorts, runKubectl, ProcessTable, testbedDir, weighSession } = await import("@spillway/testbed");
const topology = loadTopology();
process.env["SPILLWAY_E2E_NATS_URL"] ??= `nats://127.0.0.1:${natsPorts(topology).client}`;
const { startService, waitReady, stop, freePort } = await import("../src/service-process.ts");
const { e2eKubeconfig } = await import("../src/env.ts");
const { eventually } = await import("../src/helpers.ts");
const { AppsV1Api, KubeConfig, Watch } = await import("@kubernetes/client-node");
const { ResourceClient, reuseConnections } = await import("@spillway/kit");
const { federatedDeploymentKind } = await import("@spillway/api");
const { cpuSample, cpuUse } = await import("./cpu-use.ts");

const members = topology.clusters.filter((c) => c.role === "member").map((c) => c.name);
const kubeConfigOf = (context: string) => {
  const kc = new KubeConfig();
  kc.loadFromFile(e2eKubeconfig);
  kc.setCurrentContext(context);
  return kc;
};
const until = <T>(fn: () => Promise<T | undefined>, timeoutMs = 900_000) => eventually("bench step", fn, timeoutMs, 50);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const percentiles = (xs: number[]) => ({ p50: pct(xs, 0.5), p99: pct(xs, 0.99) });

/** A cluster's API server metrics, as Prometheus text (admin credentials). */
async function metricsOf(cluster: string): Promise<string> {
  const r = await runKubectl({ kubeconfig: e2eKubeconfig, context: cluster }, ["get", "--raw", "/metrics"]);
  if (r.code !== 0) throw new Error(`${cluster}'s /metrics: ${r.stderr}`);
  return r.stdout;
}

/** The sum of a member API server's gauge over the series whose labels contain `match`. */
async function memberGauge(member: string, name: string, match: string): Promise<number> {
  return [...(await metricsOf(member)).matchAll(new RegExp(`^${name}\\{([^}]*)\\} ([0-9.eE+-]+)`, "gm"))]
    .filter((m) => m[1]!.includes(match))
    .reduce((s, m) => s + Number(m[2]), 0);
}

/** Established TCP connections from these processes to 127.0.0.1:`port`. */
function connectionsTo(pids: number[], port: number): number {
  const inodes = new Set<string>();
  for (const pid of pids)
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      const link = (() => {
        try {
          return readlinkSync(`/proc/${pid}/fd/${fd}`);
        } catch {
          return "";
        }
      })();
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (m) inodes.add(m[1]!);
    }
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  return readFileSync("/proc/net/tcp", "utf8")
    .split("\n")
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length > 9 && f[2]!.endsWith(`:${hexPort}`) && f[3] === "01" && inodes.has(f[9]!)).length;
}

/** A Prometheus histogram's count, sum and cumulative buckets over the series whose labels `match` accepts. */
interface Histogram {
  count: number;
  sum: number;
  buckets: Map<number, number>;
}
function histogram(text: string, name: string, match: (labels: string) => boolean): Histogram {
  const h: Histogram = { count: 0, sum: 0, buckets: new Map() };
  for (const m of text.matchAll(new RegExp(`^${name}_(bucket|sum|count)\\{([^}]*)\\} ([0-9.eE+-]+)`, "gm"))) {
    if (!match(m[2]!)) continue;
    const v = Number(m[3]);
    if (m[1] === "sum") h.sum += v;
    else if (m[1] === "count") h.count += v;
    else {
      const le = /le="([^"]+)"/.exec(m[2]!)![1]!;
      const bound = le === "+Inf" ? Infinity : Number(le);
      h.buckets.set(bound, (h.buckets.get(bound) ?? 0) + v);
    }
  }
  return h;
}
const since = (after: Histogram, before: Histogram): Histogram => ({
  count: after.count - before.count,
  sum: after.sum - before.sum,
  buckets: new Map([...after.buckets].map(([le, n]) => [le, n - (before.buckets.get(le) ?? 0)])),
});
/**
 * Mean and the bucket bound holding the 99th percentile, in ms (the histogram's own resolution);
 * null when it lies past the last bucket.
 */
function summary(h: Histogram): { count: number; meanMs: number; p99AtMostMs: number | null } {
  const le = [...h.buckets.keys()].sort((a, b) => a - b).find((b) => h.buckets.get(b)! >= 0.99 * h.count);
  return {
    count: h.count,
    meanMs: h.count ? Math.round((h.sum / h.count) * 1000) : 0,
    p99AtMostMs: le === undefined || le === Infinity ? null : le * 1000,
  };
}

/**
 * An API server's request counts (`apiserver_request_total`) by "resource[/subresource] VERB", over
 * the verbs `verbs` accepts; leases left out (every service's and controller's heartbeat).
 */
function requestCounts(text: string, verbs: RegExp): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of text.matchAll(/^apiserver_request_total\{([^}]*)\} ([0-9.eE+-]+)/gm)) {
    const label = (n: string) => new RegExp(`${n}="([^"]*)"`).exec(m[1]!)?.[1] ?? "";
    const [resource, subresource, verb] = [label("resource"), label("subresource"), label("verb")];
    if (!resource || resource === "leases" || !verbs.test(verb)) continue;
    const key = `${resource}${subresource ? `/${subresource}` : ""} ${verb}`;
    counts.set(key, (counts.get(key) ?? 0) + Number(m[2]));
  }
  return counts;
}
/** What each key grew by between two counts, per `per` (workloads), largest first. */
const perUnit = (after: Map<string, number>, before: Map<string, number>, per: number) =>
  Object.fromEntries(
    [...after]
      .map(([k, n]) => [k, Number(((n - (before.get(k) ?? 0)) / per).toFixed(2))] as const)
      .filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1]),
  );

/** fleet-root's reconciles in flight (services/fleet-root): the floor sends no more at once per member. */
const FLEET_ROOT_CONCURRENCY = 64;

/** Runs the functions given it at most `n` at a time, in the order given. */
function inFlight(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async (fn) => {
    // A finished run hands its slot straight to the next waiting one, so none is taken twice.
    if (running < n) running++;
    else await new Promise<void>((r) => waiting.push(r));
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;

const procs: Array<Awaited<ReturnType<typeof startService>>> = [];
try {
  const t0 = performance.now();
  const fed = await up(topology, () => undefined);
  const upSeconds = (performance.now() - t0) / 1000;
  // BENCH_SPILLWAY_NICE (scale.bench.ts runs this process and so the services at that level) weighs
  // the rest of the control plane with them: the host cluster and NATS, each in sessions of their own.
  const nice = process.env["BENCH_SPILLWAY_NICE"];
  if (nice !== undefined) {
    for (const p of new ProcessTable(testbedDir).readState().processes)
      if (p.name.startsWith("host-") || p.name === "nats-server") weighSession(p.pid, nice);
  }
  const portOf = new Map(fed.clusters.map((c) => [c.spec.name, Number(new URL(c.server).port)]));

  // Member Deployments of the bench's workloads, as they appear in each member (doneAt: in every
  // member) and as each reports its replica available (availableAt: in every member).
  const doneAt = new Map<string, number>();
  const availableAt = new Map<string, number>();
  const inEvery = (at: Map<string, number>) => {
    const where = new Map<string, Set<string>>();
    return (name: string, member: string) => {
      const s = where.get(name) ?? new Set<string>();
      s.add(member);
      where.set(name, s);
      if (s.size === members.length && !at.has(name)) at.set(name, performance.now());
    };
  };
  const [added, available] = [inEvery(doneAt), inEvery(availableAt)];
  // A watch ends (client-node ends one silent for 30 s, as a member's is while the services start;
  // just after `up` the host may answer 429, its watch cache still starting): each is opened again,
  // or the objects created after would never be seen.
  const watches: AbortController[] = [];
  let watching = true;
  const keepWatching = async <O>(cluster: string, path: string, onEvent: (type: string, obj: O) => void): Promise<void> => {
    const req = await new Watch(kubeConfigOf(cluster)).watch(path, {}, onEvent, () => {
      if (watching) setTimeout(() => void keepWatching(cluster, path, onEvent), 200);
    });
    watches.push(req);
  };
  await Promise.all(
    members.map((m) =>
      keepWatching(
        m,
        "/apis/apps/v1/namespaces/default/deployments",
        (type, obj: { metadata: { name: string }; status?: { availableReplicas?: number } }) => {
          if (type === "ADDED") added(obj.metadata.name, m);
          if (type !== "DELETED" && (obj.status?.availableReplicas ?? 0) >= 1) available(obj.metadata.name, m);
        },
      ),
    ),
  );
  // The scheduler's share: each workload's Placement as it appears on the host.
  const placedAt = new Map<string, number>();
  await keepWatching(
    "host",
    "/apis/spillway.dev/v1alpha1/namespaces/default/placements",
    (type, obj: { metadata: { labels?: Record<string, string> } }) => {
      const workload = obj.metadata.labels?.["spillway.dev/workload"];
      if (type === "ADDED" && workload && !placedAt.has(workload)) placedAt.set(workload, performance.now());
    },
  );
  const watchesBefore = await Promise.all(members.map((m) => memberGauge(m, "apiserver_longrunning_requests", 'verb="WATCH"')));

  // BENCH_CPU_PROFILE=<dir>: each service writes a V8 CPU profile there when it stops.
  const profileDir = process.env["BENCH_CPU_PROFILE"];
  if (profileDir) process.env["NODE_OPTIONS"] = `${process.env["NODE_OPTIONS"] ?? ""} --cpu-prof --cpu-prof-dir=${profileDir}`.trim();
  const gwPort = await freePort();
  procs.push(await startService("cluster-gateway", "scale-gw", [`--grpc-addr=127.0.0.1:${gwPort}`, "--lease-namespace=default"]));
  procs.push(await startService("scheduler", "scale-sched", [`--gateway-addr=127.0.0.1:${gwPort}`, "--lease-namespace=default"]));
  procs.push(await startService("fleet-root", "scale-fr", ["--lease-namespace=default"]));
  await Promise.all(procs.map((p) => waitReady(p, 120_000)));

  const fds = new ResourceClient<FederatedDeployment>(kubeConfigOf("host"), federatedDeploymentKind);
  const create = (name: string) =>
    fds.create({
      apiVersion: "spillway.dev/v1alpha1",
      kind: "FederatedDeployment",
      metadata: { name, namespace: "default" },
      spec: {
        replicas: members.length,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: { containers: [{ name: "app", image: "app:1", resources: { requests: { cpu: "10m" } } }] },
        },
        placement: { clusters: members.map((m) => ({ name: m, maxReplicas: 1 })) },
      },
    });

  // Where the time goes: the scheduler's and fleet-root's queue wait and reconcile time, the host's
  // time to take a Placement write, and the members' own time to take a Deployment write, per phase.
  const [scheduler, fleetRoot] = [procs[1]!, procs[2]!];
  const writes = /verb="(POST|APPLY|PATCH|PUT)"/;
  const attribution = async () => {
    const [schedulerText, fleetRootText, hostText, memberTexts] = await Promise.all([
      fetch(`${scheduler.healthUrl}/metrics`).then((r) => r.text()),
      fetch(`${fleetRoot.healthUrl}/metrics`).then((r) => r.text()),
      metricsOf("host"),
      Promise.all(members.map(metricsOf)),
    ]);
    // One text of every member's metrics: the histogram sums their series.
    const memberMetrics = memberTexts.join("\n");
    const ofController = (name: string) => (l: string) => l.includes(`controller="${name}"`);
    return {
      schedulerWait: histogram(schedulerText, "spillway_workqueue_queue_duration_seconds", ofController("placement-federateddeployment")),
      schedulerWork: histogram(schedulerText, "spillway_workqueue_work_duration_seconds", ofController("placement-federateddeployment")),
      // The scheduler applies a Placement and then writes its status: both count.
      placementWrite: histogram(
        hostText,
        "apiserver_request_duration_seconds",
        (l) => l.includes('resource="placements"') && writes.test(l),
      ),
      wait: histogram(fleetRootText, "spillway_workqueue_queue_duration_seconds", ofController("federated-deployment")),
      work: histogram(fleetRootText, "spillway_workqueue_work_duration_seconds", ofController("federated-deployment")),
      // fleet-root writes member Deployments with server-side apply: kube-apiserver's verb APPLY.
      memberWrite: histogram(
        memberMetrics,
        "apiserver_request_duration_seconds",
        (l) => l.includes('resource="deployments"') && l.includes('subresource=""') && writes.test(l),
      ),
      // Every write the host took (Spillway's, and the bench's own FederatedDeployment creates).
      hostWrites: requestCounts(hostText, /^(POST|APPLY|PATCH|PUT|DELETE)$/),
      // fleet-root's member calls: the look-up of a name before a create, and the apply.
      memberDeploymentCalls: requestCounts(memberMetrics, /^(GET|APPLY)$/),
      at: performance.now(),
    };
  };
  type Attribution = Awaited<ReturnType<typeof attribution>>;
  const phase = (after: Attribution, before: Attribution) => ({
    schedulerQueueWait: summary(since(after.schedulerWait, before.schedulerWait)),
    schedulerReconcile: summary(since(after.schedulerWork, before.schedulerWork)),
    hostPlacementWrite: summary(since(after.placementWrite, before.placementWrite)),
    fleetRootQueueWait: summary(since(after.wait, before.wait)),
    fleetRootReconcile: summary(since(after.work, before.work)),
    memberDeploymentWrite: summary(since(after.memberWrite, before.memberWrite)),
  });
  // Per workload: what a FederatedDeployment costs the host, and its member Deployments the members.
  const requests = (after: Attribution, before: Attribution) => ({
    // Some writes are bound by time, not by workloads (a MemberCluster's capacity, every 5 s at most).
    seconds: Math.round((after.at - before.at) / 100) / 10,
    hostWritesPerWorkload: perUnit(after.hostWrites, before.hostWrites, WORKLOADS),
    memberCallsPerDeployment: Object.fromEntries(
      Object.entries(perUnit(after.memberDeploymentCalls, before.memberDeploymentCalls, WORKLOADS * members.length)).filter(([k]) =>
        k.startsWith("deployments "),
      ),
    ),
  });

  // Where the cores go: our services by name, the host's API servers apart from the members'.
  const hostCluster = fed.clusters.find((c) => c.spec.role === "host")!;
  const fleetApiserverArg = `--secure-port=${hostCluster.ports.fleetApiserver}`;
  const hostArg = `--secure-port=${hostCluster.ports.apiserver}`;
  const serviceOf = new Map(procs.map((p) => [p.child.pid!, p.name as string]));
  const cpu = () =>
    cpuSample((pid, command, args) => {
      if (pid === process.pid) return "bench";
      const service = serviceOf.get(pid);
      if (service) return service;
      if (args.includes(fleetApiserverArg)) return "fleet apiserver";
      if (command === "kube-apiserver") return args.includes(hostArg) ? "host kube-apiserver" : "member kube-apiservers";
      if (command === "kube-controller") return "controller-managers";
      return command;
    });

  const createdAt = new Map<string, number>();
  const latencies = (prefix: string, at = doneAt) =>
    [...createdAt.entries()].filter(([n]) => n.startsWith(prefix)).map(([n, t]) => (at.get(n) ?? NaN) - t);
  const allIn = (at: Map<string, number>) => (prefix: string) =>
    until(async () => ([...createdAt.keys()].filter((n) => n.startsWith(prefix)).every((n) => at.has(n)) ? true : undefined));
  const allDone = allIn(doneAt);
  /**
   * Sends one workload (`send`) every INTERVAL_MS after the one before was accepted, each timed
   * from its own send; resolves with when each was sent (ms from the first). Where the machine is
   * full the sends slow down with the host's accepts.
   */
  const sendPaced = async (prefix: string, send: (name: string) => Promise<unknown>) => {
    const start = performance.now();
    const offsets: number[] = [];
    for (let i = 0; i < WORKLOADS; i++) {
      const at = performance.now();
      offsets.push(at - start);
      createdAt.set(`${prefix}${i}`, at);
      await send(`${prefix}${i}`);
      await new Promise((r) => setTimeout(r, INTERVAL_MS));
    }
    return offsets;
  };
  /**
   * Sends each workload at the offset Spillway's paced phase sent it, whether or not the one
   * before was accepted: the floor is offered the very load Spillway was, not a load that slows
   * down with the members' own creates (it once did, and was offered a third less at 12 members).
   */
  const sendAsPaced = async (prefix: string, send: (name: string) => Promise<unknown>, offsets: number[]) => {
    const start = performance.now();
    const sent: Array<Promise<unknown>> = [];
    // A refused create fails the run once all are sent, not as an unhandled rejection midway.
    let refused: unknown;
    for (const [i, offset] of offsets.entries()) {
      const wait = start + offset - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      createdAt.set(`${prefix}${i}`, performance.now());
      sent.push(send(`${prefix}${i}`).catch((err: unknown) => (refused ??= err)));
    }
    await Promise.all(sent);
    if (refused !== undefined) throw refused;
  };
  /** Sends every workload at once, all timed from the first; resolves with the time until all were accepted. */
  const sendAtOnce = async (prefix: string, send: (name: string) => Promise<unknown>) => {
    const start = performance.now();
    await Promise.all(
      Array.from({ length: WORKLOADS }, (_, i) => {
        createdAt.set(`${prefix}${i}`, start);
        return send(`${prefix}${i}`);
      }),
    );
    return performance.now() - start;
  };
  // Each phase begins with the members quiet: the Deployments of the one before available.
  const quiet = allIn(availableAt);

  const atStart = await attribution();
  const cpuAtStart = cpu();
  const pacedOffsets = await sendPaced("paced-", create);
  await allDone("paced-");
  await quiet("paced-");
  const afterPaced = await attribution();
  const cpuAfterPaced = cpu();
  const acceptMs = await sendAtOnce("burst-", create);
  await allDone("burst-");
  const afterBurst = await attribution();
  const cpuAfterBurst = cpu();
  const paced = latencies("paced-");
  const burst = latencies("burst-");

  // Settled: what the control plane holds and asks of each member with the workloads in place.
  const watchesAfter = await Promise.all(members.map((m) => memberGauge(m, "apiserver_longrunning_requests", 'verb="WATCH"')));
  const pids = procs.map((p) => p.child.pid!);
  const memory = Object.fromEntries(procs.map((p) => [p.name, rssMiB(p.child.pid!)]));
  const connectionsPerMember = members.map((m) => connectionsTo(pids, portOf.get(m)!));

  // The floor under both phases: what the members alone take for the same Deployments, nothing of
  // Spillway's in their path (no Spillway label: fleet-root's label-selected watches never see
  // them), begun as quiet and timed by the same watch.
  // Sent as fleet-root sends: over kept connections (a new TLS handshake per request would load
  // the members with our client's cost), at most as many in flight per member as its reconciles.
  const apps = new Map(members.map((m) => [m, reuseConnections(kubeConfigOf(m)).makeApiClient(AppsV1Api)]));
  const slots = new Map(members.map((m) => [m, inFlight(FLEET_ROOT_CONCURRENCY)]));
  const createInMembers = (name: string) =>
    Promise.all(
      members.map((m) =>
        slots.get(m)!(() =>
          apps.get(m)!.createNamespacedDeployment({
            namespace: "default",
            body: {
              metadata: { name },
              spec: {
                replicas: 1,
                selector: { matchLabels: { app: name } },
                template: {
                  metadata: { labels: { app: name } },
                  spec: { containers: [{ name: "app", image: "app:1", resources: { requests: { cpu: "10m" } } }] },
                },
              },
            },
          }),
        ),
      ),
    );
  await quiet("burst-");
  // Requests are counted to here: the writes a burst's Deployments bring back (status) belong to it.
  const burstSettled = await attribution();
  const cpuBeforeFloor = cpu();
  await sendAsPaced("floor-paced-", createInMembers, pacedOffsets);
  await allDone("floor-paced-");
  await quiet("floor-paced-");
  const cpuAfterFloor = cpu();
  const floorAcceptMs = await sendAtOnce("floor-burst-", createInMembers);
  await allDone("floor-burst-");
  await quiet("floor-burst-");
  const floorPaced = latencies("floor-paced-");
  const floorBurst = latencies("floor-burst-");

  watching = false;
  for (const w of watches) w.abort();
  const result: FleetResult = {
    members: members.length,
    idc: topology.clusters.filter((c) => c.tier === "idc").length,
    cloud: topology.clusters.filter((c) => c.tier === "cloud").length,
    upSeconds,
    workloads: WORKLOADS,
    intervalMs: INTERVAL_MS,
    memberObjects: 2 * WORKLOADS * members.length,
    // How long the paced sends took: 25 s when the host accepts at once, longer where it cannot.
    paced: { ...percentiles(paced), sentOverSeconds: pacedOffsets.at(-1)! / 1000 },
    burst: { ...percentiles(burst), acceptMs },
    // apply → the replica available in every member: what a user waits for.
    available: {
      paced: percentiles(latencies("paced-", availableAt)),
      burst: percentiles(latencies("burst-", availableAt)),
      "floor-paced": percentiles(latencies("floor-paced-", availableAt)),
      "floor-burst": percentiles(latencies("floor-burst-", availableAt)),
    },
    floor: {
      paced: percentiles(floorPaced),
      burst: { ...percentiles(floorBurst), acceptMs: floorAcceptMs },
    },
    toPlacement: {
      paced: percentiles(latencies("paced-", placedAt)),
      burst: percentiles(latencies("burst-", placedAt)),
    },
    timings: { paced: phase(afterPaced, atStart), burst: phase(afterBurst, afterPaced) },
    requests: { paced: requests(afterPaced, atStart), burst: requests(burstSettled, afterPaced) },
    cpu: {
      paced: cpuUse(cpuAfterPaced, cpuAtStart),
      burst: cpuUse(cpuAfterBurst, cpuAfterPaced),
      // At the same pace, what the members alone ask of the machine: the load Spillway's phase adds to.
      "floor-paced": cpuUse(cpuAfterFloor, cpuBeforeFloor),
    },
    memoryMiB: memory,
    watchesPerMember: members.map((_, i) => watchesAfter[i]! - watchesBefore[i]!),
    connectionsPerMember,
  };
  console.log(JSON.stringify(result));
} finally {
  for (const p of procs) await stop(p);
  await down();
}
