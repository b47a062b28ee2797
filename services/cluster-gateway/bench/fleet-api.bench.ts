/**
 * The fleet API against real control planes: brings up a private testbed (host + the members of
 * SPILLWAY_TESTBED_MEMBERS, default the three; ports from 24000), a real cluster-gateway serving
 * the fleet API's storage and the real fleet-apiserver; then, at each level of BENCH_PODS (pods
 * across the members, default 10000; e.g. `10000,50000,100000`, added level by level), measures
 *   1. LIST of all those pods through the fleet API, against a direct LIST of as many pods (same
 *      specs) from one member's API server (with one member and BENCH_REFERENCE=0, its own pods);
 *   2. watch latency: a pod created in a member → its ADDED event at a client watching the fleet API;
 *   3. the gateway's and the fleet apiserver's resident memory, in all and per pod held;
 *   and the gateway's event loop stalls while the pods were created and while the watch was timed;
 * and once, the cost of 50 watchers on the fleet API to the members (their open pod watches).
 * Raw results go to `.bench/fleet-api-<time>.json`, the gateway's log beside them;
 * BENCH_GATEWAY_NODE_FLAGS adds node/V8 flags to the gateway (e.g. `--trace-gc`); BENCH_GATEWAY_NICE
 * runs it in a session of its own at that nice level (weighSession: as root, as a CPU request).
 *   pnpm --filter @spillway/cluster-gateway bench:fleet-api
 */
import { spawn } from "node:child_process";
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:https";
import { join } from "node:path";
import { clusterLabel, fleetResources, storageKey } from "@spillway/api";
import { createClient } from "@spillway/proto";
import { KV } from "@spillway/proto/etcd";

const LEVELS = (process.env["BENCH_PODS"] ?? "10000").split(",").map(Number);
const LISTS = Number(process.env["BENCH_LISTS"] ?? 7);
const LAG_PODS = Number(process.env["BENCH_LAG_PODS"] ?? 200);
const WATCHERS = 50;
// Without the reference copy the fleet holds half as many pods: at 100k pods across the members,
// the copy in one member would take kube-apiservers past this machine's 24 GiB.
const REFERENCE = process.env["BENCH_REFERENCE"] !== "0";

const root = join(import.meta.dirname, "..", "..", "..");
process.env["SPILLWAY_TESTBED_DIR"] ??= join(root, ".testbed", "bench-fleet");
process.env["SPILLWAY_TESTBED_PORT_BASE"] ??= "24000";
process.env["SPILLWAY_TESTBED_METRICS"] = "0";
process.env["SPILLWAY_TESTBED_POD_READY_DELAY_MS"] ??= "0";
const { up, down, loadTopology, kubeconfigPath, startFleetApi, weighSession } = await import("@spillway/testbed");

interface Target {
  server: string;
  token: string;
}

// Pods are created over a few kept-alive connections: a client's own cost stays out of the figures.
const agent = new Agent({ keepAlive: true, maxSockets: 48 });

/** One request, body read to the end; resolves with the status, the bytes and the time taken. */
function call(t: Target, path: string, body?: object): Promise<{ status: number; bytes: number; ms: number; body: string }> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, t.server),
      {
        agent,
        method: body ? "POST" : "GET",
        rejectUnauthorized: false,
        headers: {
          authorization: `Bearer ${t.token}`,
          accept: "application/json",
          ...(body ? { "content-type": "application/json" } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks);
          if (body && res.statusCode !== 201)
            return reject(new Error(`POST ${path}: ${res.statusCode} ${text.toString("utf8").slice(0, 300)}`));
          resolve({ status: res.statusCode ?? 0, bytes: text.length, ms: performance.now() - start, body: text.toString("utf8") });
        });
      },
    );
    req.on("error", reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}
const get = (t: Target, path: string) => call(t, path);

/** A watch on the fleet API; calls `onEvent` per event line. Returns a stop function. */
function watch(t: Target, path: string, onEvent: (e: { type: string; object: { metadata: { name: string } } }) => void): () => void {
  const req = request(new URL(path, t.server), { rejectUnauthorized: false, headers: { authorization: `Bearer ${t.token}` } }, (res) => {
    let buf = "";
    res.on("data", (c: Buffer) => {
      buf += c.toString("utf8");
      const lines = buf.split("\n");
      buf = lines.pop()!;
      for (const l of lines) if (l) onEvent(JSON.parse(l));
    });
  });
  req.on("error", () => {});
  req.end();
  return () => req.destroy();
}

async function pool<T>(items: T[], concurrency: number, fn: (t: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
const mib = (kb: number) => `${(kb / 1024).toFixed(0)} MiB`;
const rssKb = async (pid: number) => {
  const { readFileSync } = await import("node:fs");
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]);
};
async function until(what: string, fn: () => Promise<boolean>, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000}s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A figure (ms) with when it was taken (Unix ms), to set beside other processes' logs. */
interface TimedSample {
  atMs: number;
  ms: number;
}

interface Level {
  pods: number;
  members: number;
  createdPerSecond: number;
  list: { fleetMs: number; memberMs: number | null; ratio: number | null; fleetMiB: number; memberMiB: number };
  /** `samples`: each lag pod's latency and when its create was answered (Unix ms), to set beside other processes' logs. */
  watch: { p50: number; p99: number; samples: TimedSample[] };
  /**
   * The gateway's longest event loop stall per second (`nodejs_eventloop_lag_max_seconds`, read
   * each second), at most while the pods were created and while the watch lag was measured; the
   * samples with their times (Unix ms), to set beside the watch samples.
   */
  gatewayLoopLag: { createsMaxMs: number; watchMaxMs: number; samples: TimedSample[] };
  /**
   * Where the gateway's main thread spent the wall time of the creates and of the wait for every
   * pod Running after them (Linux's schedstat, % of wall time): on a core, or runnable and waiting
   * for one. What is left it slept, idle. A stall with the thread waiting is the machine's cores,
   * not the gateway's work. Null where /proc has no schedstat.
   */
  gatewayMainThread: { creates: CoreShare; after: CoreShare } | null;
  held: number;
  gatewayMiB: number;
  gatewayKiBPerPod: number;
  gatewayHeapMiB: number;
  gatewayHeapKiBPerPod: number;
  fleetApiMiB: number;
  fleetApiKiBPerPod: number;
  memberApiMiB: number;
  memberApiKiBPerPod: number;
}

/**
 * A process's resident memory once it has settled: a garbage-collected heap grows while a burst
 * of events is processed and gives memory back only when the process is idle, so a reading right
 * after the burst says more about the burst than about what is held. Read every 2 s until it has
 * not fallen by 1 % for 20 s (at most 3 minutes).
 */
async function settledRssKb(pid: number): Promise<number> {
  const readings: number[] = [];
  const deadline = Date.now() + 180_000;
  for (;;) {
    readings.push(await rssKb(pid));
    const window = readings.slice(-11);
    if (window.length === 11 && window[window.length - 1]! > 0.99 * window[0]!) return Math.min(...window);
    if (Date.now() > deadline) return Math.min(...readings.slice(-11));
    await new Promise((r) => setTimeout(r, 2000));
  }
}

/**
 * What the gateway's heap holds: its used heap right after a full collection, asked through the
 * inspector (the only way to collect another process's garbage). Unlike RSS, this does not count
 * the room a collector keeps to grow into, nor pages the allocator has not handed back yet.
 */
async function heldHeapKb(inspectorPort: number): Promise<number> {
  const [target] = (await (await fetch(`http://127.0.0.1:${inspectorPort}/json/list`)).json()) as Array<{ webSocketDebuggerUrl: string }>;
  const ws = new WebSocket(target!.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.addEventListener("open", resolve);
    ws.addEventListener("error", reject);
  });
  let id = 0;
  const send = (method: string, params: object = {}) =>
    new Promise<{ result?: { value?: unknown } }>((resolve) => {
      const mine = ++id;
      const onMessage = (m: MessageEvent) => {
        const d = JSON.parse(String(m.data)) as { id?: number; result: { result?: { value?: unknown } } };
        if (d.id !== mine) return;
        ws.removeEventListener("message", onMessage);
        resolve(d.result as never);
      };
      ws.addEventListener("message", onMessage);
      ws.send(JSON.stringify({ id: mine, method, params }));
    });
  try {
    await send("HeapProfiler.enable");
    await send("HeapProfiler.collectGarbage");
    const r = await send("Runtime.evaluate", { expression: "process.memoryUsage().heapUsed", returnByValue: true });
    return Number(r.result?.value) / 1024;
  } finally {
    ws.close();
  }
}

interface StalePod {
  metadata: { name: string; namespace: string; labels?: Record<string, string> };
  status?: { phase?: string };
}

/**
 * Where a stale fleet view is: the gateway's keyspace (what it stored from the member's watch)
 * read straight from its etcd API, against what the fleet apiserver serves. Counts by member.
 */
async function whereStale(pods: StalePod[], storageAddr: string): Promise<string> {
  const kv = createClient(KV, storageAddr);
  const pods_ = fleetResources.find((r) => r.resource === "pods")!;
  const tally = new Map<string, { keyspaceStale: number; keyspaceCurrent: number }>();
  try {
    await pool(pods, 16, async (p) => {
      const key = storageKey(pods_, p.metadata.namespace, p.metadata.name);
      const res = await kv.range({ key: new TextEncoder().encode(key) });
      const stored = res.kvs[0] ? (JSON.parse(new TextDecoder().decode(res.kvs[0].value)) as StalePod) : undefined;
      const member = p.metadata.labels?.[clusterLabel] ?? "?";
      const t = tally.get(member) ?? { keyspaceStale: 0, keyspaceCurrent: 0 };
      if (stored?.status?.phase === p.status?.phase) t.keyspaceStale++;
      else t.keyspaceCurrent++;
      tally.set(member, t);
    });
  } finally {
    kv.close();
  }
  return [...tally]
    .map(
      ([m, t]) =>
        `${m}: ${t.keyspaceStale} as stale in the gateway's keyspace, ${t.keyspaceCurrent} current there (the fleet apiserver behind)`,
    )
    .join("; ");
}

/** How many pods of `namespace` the gateway's keyspace holds, counted through its etcd API. */
async function keyspaceCount(storageAddr: string, namespace: string): Promise<number> {
  const kv = createClient(KV, storageAddr);
  const prefix = storageKey(
    fleetResources.find((r) => r.resource === "pods")!,
    namespace,
    "",
  );
  // etcd's prefix range: the end is the prefix with its last byte incremented.
  const end = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
  try {
    const res = await kv.range({ key: new TextEncoder().encode(prefix), rangeEnd: new TextEncoder().encode(end), countOnly: true });
    return Number(res.count);
  } finally {
    kv.close();
  }
}

/** Reads the gateway's event loop lag since the last read, once a second, until stopped. */
function sampleLoopLag(metricsUrl: string): { samples: TimedSample[]; stop: () => void } {
  const samples: TimedSample[] = [];
  const timer = setInterval(() => {
    void fetch(metricsUrl)
      .then((r) => r.text())
      .then((text) => {
        const m = /^nodejs_eventloop_lag_max_seconds(?:\{[^}]*\})? ([0-9.eE+-]+)$/m.exec(text);
        if (m) samples.push({ atMs: Date.now(), ms: Number((Number(m[1]) * 1000).toFixed(1)) });
      })
      .catch(() => {}); // a scrape the busy gateway did not answer is a second not sampled
  }, 1000);
  return { samples, stop: () => clearInterval(timer) };
}

interface CoreShare {
  onCorePct: number;
  waitingPct: number;
}

/**
 * The main thread's time on a core and waiting for one (cumulative ns, /proc's schedstat), read
 * each second; `share` gives both as a share of the wall time between two instants.
 */
function sampleMainThread(pid: number): { share: (from: number, to: number) => CoreShare | null; stop: () => void } {
  const samples: Array<{ atMs: number; onCoreNs: number; waitingNs: number }> = [];
  const read = () => {
    try {
      const [onCore, waiting] = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, "utf8").split(" ").map(Number);
      samples.push({ atMs: Date.now(), onCoreNs: onCore!, waitingNs: waiting! });
    } catch {
      // no schedstat (not Linux, or a kernel without it): nothing to report
    }
  };
  read();
  const timer = setInterval(read, 1000);
  const share = (from: number, to: number): CoreShare | null => {
    const inside = samples.filter((x) => x.atMs >= from && x.atMs <= to);
    if (inside.length < 2) return null;
    const [a, b] = [inside[0]!, inside.at(-1)!];
    const wallNs = (b.atMs - a.atMs) * 1e6;
    const pctOf = (ns: number) => Number(((ns / wallNs) * 100).toFixed(1));
    return { onCorePct: pctOf(b.onCoreNs - a.onCoreNs), waitingPct: pctOf(b.waitingNs - a.waitingNs) };
  };
  return { share, stop: () => clearInterval(timer) };
}

const maxIn = (samples: TimedSample[], from: number, to: number) =>
  samples.filter((x) => x.atMs >= from && x.atMs <= to + 1000).reduce((m, x) => Math.max(m, x.ms), 0);

/**
 * The gateway's own account of its pod watch of each member (its /metrics): pods held, events,
 * lists, watch ends by reason, and how long ago the last event came.
 */
async function gatewayWatches(metricsUrl: string): Promise<string> {
  let text: string;
  try {
    text = await (await fetch(metricsUrl)).text();
  } catch (err) {
    return `(gateway metrics unreadable: ${(err as Error).message})`;
  }
  const byMember = new Map<string, string[]>();
  const re =
    /^spillway_gateway_member_(objects|watch_events_total|lists_total|watch_ends_total|watch_last_event_timestamp_seconds)\{([^}]*)\} ([0-9.eE+-]+)/gm;
  for (const [, what, labelText, value] of text.matchAll(re)) {
    const labels = Object.fromEntries([...labelText!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (labels["resource"] !== "pods") continue;
    const shown = watchFigure(what!, Number(value), labels["reason"]);
    if (shown) byMember.set(labels["cluster"]!, [...(byMember.get(labels["cluster"]!) ?? []), shown]);
  }
  return [...byMember].map(([m, parts]) => `${m}: ${parts.join(", ")}`).join("; ");
}

/** One watch figure as the bench prints it ("12 lists", "3 expired", "last event 4 s ago"); "" for an end reason never seen. */
function watchFigure(what: string, v: number, reason: string | undefined): string {
  if (what === "watch_last_event_timestamp_seconds") return `last event ${v ? `${(Date.now() / 1000 - v).toFixed(0)} s ago` : "never"}`;
  if (what === "watch_ends_total") return v ? `${v} ${reason}` : "";
  return `${v} ${what.replace(/_total$/, "").replace("watch_", "")}`;
}

const gatewayNodeFlags = (process.env["BENCH_GATEWAY_NODE_FLAGS"] ?? "").split(/\s+/).filter(Boolean);
const gatewayNice = process.env["BENCH_GATEWAY_NICE"];
let gateway: ReturnType<typeof spawn> | undefined;
try {
  const topology = { ...loadTopology(), metricsServer: false, podReadyDelayMs: 0 };
  const fed = await up(topology, (l) => console.log(`testbed: ${l}`));
  const members = fed.clusters.filter((c) => c.spec.role === "member");
  const host = fed.clusters.find((c) => c.spec.role === "host")!;
  const inspectorPort = 24099;
  const gatewayHealthPort = 24098;
  const gatewayMetrics = `http://127.0.0.1:${gatewayHealthPort}/metrics`;
  gateway = spawn(
    process.execPath,
    [
      `--inspect=127.0.0.1:${inspectorPort}`,
      ...gatewayNodeFlags,
      join(root, "services", "cluster-gateway", "src", "main.ts"),
      `--kubeconfig=${kubeconfigPath}`,
      "--context=host",
      `--nats-url=${fed.natsUrl}`,
      `--health-addr=127.0.0.1:${gatewayHealthPort}`,
      "--grpc-addr=127.0.0.1:0",
      "--identity=bench-gateway",
      "--lease-namespace=spillway-system",
      `--fleet-storage-addr=${fed.fleet.storageAddr}`,
    ],
    { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, LOG_LEVEL: "info" }, detached: gatewayNice !== undefined },
  );
  if (gatewayNice !== undefined) weighSession(gateway.pid!, gatewayNice);
  // Its log beside the results: warnings (a member watch that failed, an object it could not
  // serve), and each member list with where its time went (a relist at 100k pods takes minutes).
  mkdirSync(join(root, ".bench"), { recursive: true });
  const gatewayLog = join(root, ".bench", `fleet-api-${new Date().toISOString().replace(/[:.]/g, "-")}.gateway.log`);
  gateway.stdout!.on("data", (d: Buffer) => appendFileSync(gatewayLog, d));
  const fleetApi = await startFleetApi();
  const fleet: Target = { server: fleetApi.server, token: host.credentials.token };
  const direct = new Map(members.map((m) => [m.spec.name, { server: m.server, token: m.credentials.token }]));
  const first = members[0]!.spec.name;
  const state = JSON.parse(readFileSync(join(process.env["SPILLWAY_TESTBED_DIR"]!, "state.json"), "utf8")) as {
    processes: Array<{ name: string; pid: number }>;
  };
  const pidOf = (name: string) => state.processes.find((p) => p.name === name)!.pid;
  // The reference: the API server of the member that holds as many pods as the fleet serves.
  const memberApiPid = pidOf(`${first}-kube-apiserver`);
  const fleetApiPid = pidOf("fleet-apiserver");
  const before = {
    gatewayHeap: await heldHeapKb(inspectorPort),
    gateway: await settledRssKb(gateway.pid!),
    fleetApi: await settledRssKb(fleetApiPid),
    memberApi: await settledRssKb(memberApiPid),
  };

  // The same pods twice: spread over the members in `spread`, all in the first member in `single`.
  for (const m of members)
    for (const ns of ["spread", "single", "lag"]) await call(direct.get(m.spec.name)!, "/api/v1/namespaces", { metadata: { name: ns } });
  const nodesOf = new Map(members.map((m) => [m.spec.name, m.spec.nodePools!.reduce((s, p) => s + p.count, 0)]));
  const pod = (name: string, i: number, member: string, namespace: string) => ({
    metadata: { name, namespace, labels: { app: `a${i % 50}` } },
    spec: {
      nodeName: `${member}-node-${i % nodesOf.get(member)!}`,
      containers: [{ name: "c", image: "registry.k8s.io/pause:3.9", resources: { requests: { cpu: "10m", memory: "16Mi" } } }],
    },
  });
  const create = (member: string, namespace: string, i: number, name = `p-${i}`) =>
    call(direct.get(member)!, `/api/v1/namespaces/${namespace}/pods`, pod(name, i, member, namespace));
  const ms = (x: number) => `${x.toFixed(0)} ms`;
  // With one member and no copy, the spread pods are all in that member: they are their own
  // reference, so the ratio is measured at 100k pods within the machine's memory.
  const referenceNamespace = REFERENCE ? "single" : members.length === 1 ? "spread" : undefined;

  // Raw results are written after every level: a run that dies at 100k pods keeps what it measured.
  const dir = join(root, ".bench");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `fleet-api-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  const save = (watchers?: object) =>
    writeFileSync(
      file,
      JSON.stringify({ date: new Date().toISOString(), members: members.length, settledBefore: before, levels, watchers }, null, 2),
    );
  const levels: Level[] = [];
  let created = 0;
  let lagPods = 0;
  for (const level of LEVELS) {
    const c0 = performance.now();
    const loopLag = sampleLoopLag(gatewayMetrics);
    const mainThread = sampleMainThread(gateway.pid!);
    const createsFrom = Date.now();
    const creates: Array<[string, string, number]> = [];
    for (let i = created; i < level; i++) {
      creates.push([members[i % members.length]!.spec.name, "spread", i]);
      if (REFERENCE) creates.push([first, "single", i]);
    }
    await pool(creates, 48, ([m, ns, i]) => create(m, ns, i));
    const createsTo = Date.now();
    const createdPerSecond = creates.length / ((performance.now() - c0) / 1000);
    created = level;
    console.log(`created ${creates.length} pods (${(REFERENCE ? 2 : 1) * level} in all) at ${createdPerSecond.toFixed(0)}/s`);
    // A busy fleet apiserver may drop a connection: that is a count not read yet, not a verdict.
    const fleetCount = async () => {
      const r = await get(fleet, "/api/v1/namespaces/spread/pods?limit=1").catch((err: Error) => err);
      if (r instanceof Error) return `unread (${r.message})`;
      return r.status === 200 ? (JSON.parse(r.body).metadata.remainingItemCount ?? 0) + 1 : `HTTP ${r.status}`;
    };
    let told = Date.now();
    try {
      await until(
        "the fleet API lists every pod",
        async () => {
          const n = await fleetCount();
          if (n === level) return true;
          if (Date.now() - told > 60_000) {
            told = Date.now();
            console.log(
              `waiting: the fleet API lists ${n} of ${level}; the gateway's pod watches: ${await gatewayWatches(gatewayMetrics)}`,
            );
          }
          return false;
        },
        900_000,
      );
    } catch (err) {
      // Where the missing pods are: the gateway's keyspace (read straight from its etcd API) or
      // the fleet apiserver's cache of it.
      const memberCounts = await Promise.all(
        members.map(async (m) => {
          const r = await get(direct.get(m.spec.name)!, "/api/v1/namespaces/spread/pods?limit=1");
          return `${m.spec.name} ${(JSON.parse(r.body).metadata.remainingItemCount ?? 0) + 1}`;
        }),
      );
      throw new Error(
        `${(err as Error).message}: the fleet API lists ${await fleetCount()} of ${level}; ` +
          `the gateway's keyspace holds ${await keyspaceCount(fed.fleet.storageAddr, "spread")}; the members hold ${memberCounts.join(", ")}; ` +
          `the gateway's pod watches: ${await gatewayWatches(gatewayMetrics)}; the gateway's warnings: ${gatewayLog}`,
      );
    }

    // Quiet first: kwok marks the new pods Running well after their creates, and the fleet API
    // measured while the gateway still takes those changes measures the backlog. The members say
    // when they are done; the fleet must then agree soon, or its view is stale (a finding, named).
    const notRunning = async (t: Target) => {
      const r = await get(t, "/api/v1/pods?fieldSelector=status.phase%21%3DRunning&limit=1");
      const body = JSON.parse(r.body) as { items: unknown[]; metadata: { remainingItemCount?: number } };
      return r.status === 200 ? body.items.length + (body.metadata.remainingItemCount ?? 0) : Infinity;
    };
    await until(
      "every member's pods Running",
      async () => (await Promise.all(members.map((m) => notRunning(direct.get(m.spec.name)!)))).every((n) => n === 0),
      900_000,
    );
    try {
      await until("the fleet API shows every pod Running, as the members do", async () => (await notRunning(fleet)) === 0, 120_000);
    } catch (err) {
      const r = await get(fleet, "/api/v1/pods?fieldSelector=status.phase%21%3DRunning");
      const stale = (JSON.parse(r.body) as { items: StalePod[] }).items;
      throw new Error(
        `${(err as Error).message}: the fleet still shows ${stale.length} pods not Running; ` +
          (await whereStale(stale, fed.fleet.storageAddr)) +
          `; the gateway's warnings: ${gatewayLog}`,
      );
    }

    const runningAt = Date.now();
    const [createsShare, afterShare] = [mainThread.share(createsFrom, createsTo), mainThread.share(createsTo, runningAt)];
    console.log(`the gateway's pod watches: ${await gatewayWatches(gatewayMetrics)}`);

    // 1. LIST: alternate so that both see the same machine load; JSON, full bodies read.
    const viaFleet: number[] = [];
    const viaMember: number[] = [];
    let fleetBytes = 0;
    let memberBytes = 0;
    for (let i = 0; i < LISTS; i++) {
      const f = await get(fleet, "/api/v1/namespaces/spread/pods");
      if (f.status !== 200) throw new Error(`a list failed: fleet ${f.status}`);
      if (JSON.parse(f.body).items.length !== level) throw new Error("the fleet's list is short");
      viaFleet.push(f.ms);
      fleetBytes = f.bytes;
      if (!referenceNamespace) continue;
      const d = await get(direct.get(first)!, `/api/v1/namespaces/${referenceNamespace}/pods`);
      if (d.status !== 200) throw new Error(`a list failed: member ${d.status}`);
      if (JSON.parse(d.body).items.length !== level) throw new Error("the member's list is short");
      viaMember.push(d.ms);
      memberBytes = d.bytes;
    }

    // 2. Watch latency: member create → ADDED at a client of the fleet API.
    const seen = new Map<string, number>();
    const rv = JSON.parse((await get(fleet, "/api/v1/namespaces/lag/pods?limit=1")).body).metadata.resourceVersion;
    const stopLag = watch(fleet, `/api/v1/namespaces/lag/pods?watch=1&resourceVersion=${rv}`, (e) => {
      if (e.type === "ADDED") seen.set(e.object.metadata.name, performance.now());
    });
    const lags: number[] = [];
    const samples: Level["watch"]["samples"] = [];
    const watchFrom = Date.now();
    for (let i = 0; i < LAG_PODS; i++) {
      const m = members[i % members.length]!.spec.name;
      const name = `lag-${level}-${i}`;
      await create(m, "lag", i, name);
      const at = performance.now();
      const atMs = Date.now();
      await until(`ADDED ${name}`, async () => seen.has(name), 30_000);
      lags.push(seen.get(name)! - at);
      samples.push({ atMs, ms: Number(lags.at(-1)!.toFixed(1)) });
    }
    stopLag();
    const watchTo = Date.now();
    loopLag.stop();
    mainThread.stop();
    lagPods += LAG_PODS;

    // 3. Memory, per pod held (both namespaces and the lag pods so far).
    const held = (REFERENCE ? 2 : 1) * level + lagPods;
    // The first member holds its share of the spread pods, all the single ones and its lag pods.
    const memberHeld = Math.ceil(level / members.length) + (REFERENCE ? level : 0) + Math.ceil(lagPods / members.length);
    const now = {
      gatewayHeap: await heldHeapKb(inspectorPort),
      gateway: await settledRssKb(gateway.pid!),
      fleetApi: await settledRssKb(fleetApiPid),
      memberApi: await settledRssKb(memberApiPid),
    };
    const row: Level = {
      pods: level,
      members: members.length,
      createdPerSecond: Math.round(createdPerSecond),
      list: {
        fleetMs: Math.round(median(viaFleet)),
        memberMs: viaMember.length ? Math.round(median(viaMember)) : null,
        ratio: viaMember.length ? Number((median(viaFleet) / median(viaMember)).toFixed(2)) : null,
        fleetMiB: Number((fleetBytes / 2 ** 20).toFixed(1)),
        memberMiB: Number((memberBytes / 2 ** 20).toFixed(1)),
      },
      watch: { p50: Number(pct(lags, 0.5).toFixed(1)), p99: Number(pct(lags, 0.99).toFixed(1)), samples },
      gatewayLoopLag: {
        createsMaxMs: maxIn(loopLag.samples, createsFrom, createsTo),
        watchMaxMs: maxIn(loopLag.samples, watchFrom, watchTo),
        samples: loopLag.samples,
      },
      gatewayMainThread: createsShare && afterShare ? { creates: createsShare, after: afterShare } : null,
      held,
      gatewayMiB: Math.round(now.gateway / 1024),
      gatewayKiBPerPod: Number(((now.gateway - before.gateway) / held).toFixed(1)),
      gatewayHeapMiB: Math.round(now.gatewayHeap / 1024),
      gatewayHeapKiBPerPod: Number(((now.gatewayHeap - before.gatewayHeap) / held).toFixed(1)),
      fleetApiMiB: Math.round(now.fleetApi / 1024),
      fleetApiKiBPerPod: Number(((now.fleetApi - before.fleetApi) / held).toFixed(1)),
      memberApiMiB: Math.round(now.memberApi / 1024),
      memberApiKiBPerPod: Number(((now.memberApi - before.memberApi) / memberHeld).toFixed(1)),
    };
    levels.push(row);
    save();
    console.log(
      `${level} pods: LIST fleet ${ms(row.list.fleetMs)} vs member ${row.list.memberMs ?? "—"} ms (ratio ${row.list.ratio ?? "—"}); ` +
        `watch p99 ${row.watch.p99} ms; gateway event loop stalls up to ${row.gatewayLoopLag.createsMaxMs} ms during the creates, ` +
        `${row.gatewayLoopLag.watchMaxMs} ms during the watch samples; ` +
        (row.gatewayMainThread
          ? `gateway main thread during the creates on a core ${row.gatewayMainThread.creates.onCorePct} % of the time, waiting for one ${row.gatewayMainThread.creates.waitingPct} %; ` +
            `until every pod Running ${row.gatewayMainThread.after.onCorePct} % and ${row.gatewayMainThread.after.waitingPct} %; `
          : "") +
        `gateway heap ${row.gatewayHeapMiB} MiB (${row.gatewayHeapKiBPerPod} KiB/pod), ` +
        `RSS ${row.gatewayMiB} MiB (${row.gatewayKiBPerPod} KiB/pod), ` +
        `fleet apiserver ${row.fleetApiMiB} MiB (${row.fleetApiKiBPerPod} KiB/pod), ` +
        `${first}'s apiserver ${row.memberApiMiB} MiB (${row.memberApiKiBPerPod} KiB/pod)`,
    );
  }

  // 4. 50 watchers on the fleet API: the members' open pod watches before and after.
  const memberWatches = async () => {
    let n = 0;
    for (const m of members) {
      const metrics = (await get(direct.get(m.spec.name)!, "/metrics")).body;
      for (const line of metrics.split("\n"))
        if (line.startsWith("apiserver_longrunning_requests{") && line.includes('resource="pods"') && line.includes('verb="WATCH"'))
          n += Number(line.split(" ").pop());
    }
    return n;
  };
  const watchesBefore = await memberWatches();
  const stops = Array.from({ length: WATCHERS }, () => watch(fleet, "/api/v1/pods?watch=1", () => {}));
  await new Promise((r) => setTimeout(r, 3000)); // long enough for a watch per watcher to have reached the members, were it passed on
  const watchesDuring = await memberWatches();
  for (const stop of stops) stop();

  save({ count: WATCHERS, memberPodWatchesBefore: watchesBefore, memberPodWatchesWith: watchesDuring });

  const pad = (x: string, n: number) => x.padEnd(n);
  console.log(`\nthe fleet API against real control planes (${members.length} members; raw results in ${file}):`);
  const header = [
    pad("pods across the members", 24),
    pad("LIST via fleet / one member (ratio)", 36),
    pad("watch p50 / p99", 18),
    pad("gateway heap held (per pod)", 28),
    pad("gateway RSS (per pod)", 24),
    pad("fleet apiserver RSS (per pod)", 30),
    `${first}'s apiserver RSS (per pod)`,
  ];
  console.log(header.join(" "));
  for (const l of levels)
    console.log(
      [
        pad(String(l.pods), 24),
        pad(`${ms(l.list.fleetMs)} / ${l.list.memberMs === null ? "—" : `${ms(l.list.memberMs)} (${l.list.ratio})`}`, 36),
        pad(`${l.watch.p50} / ${l.watch.p99} ms`, 18),
        pad(`${l.gatewayHeapMiB} MiB (${l.gatewayHeapKiBPerPod} KiB)`, 28),
        pad(`${l.gatewayMiB} MiB (${l.gatewayKiBPerPod} KiB)`, 24),
        pad(`${l.fleetApiMiB} MiB (${l.fleetApiKiBPerPod} KiB)`, 30),
        `${l.memberApiMiB} MiB (${l.memberApiKiBPerPod} KiB)`,
      ].join(" "),
    );
  console.log(
    `before any pod: gateway heap ${mib(before.gatewayHeap)}, RSS settled: gateway ${mib(before.gateway)}, fleet apiserver ${mib(before.fleetApi)}, ` +
      `${first}'s apiserver ${mib(before.memberApi)}. Per pod = growth / pods held (the gateway and the fleet apiserver hold ` +
      `${REFERENCE ? "both copies" : "every pod"} and the lag pods, ${first} its share of them).`,
  );
  for (let i = 1; i < levels.length; i++) {
    const [a, b] = [levels[i - 1]!, levels[i]!];
    const slope = (x: (l: Level) => number) => (((x(b) - x(a)) * 1024) / (b.held - a.held)).toFixed(1);
    console.log(
      `from ${a.pods} to ${b.pods} pods, each further pod held: gateway heap ${slope((l) => l.gatewayHeapMiB)} KiB, ` +
        `gateway RSS ${slope((l) => l.gatewayMiB)} KiB, fleet apiserver ${slope((l) => l.fleetApiMiB)} KiB`,
    );
  }
  console.log(
    `${WATCHERS} fleet watchers: the members' open pod watches ${watchesBefore} before, ${watchesDuring} with them (one per member and resource)`,
  );
} finally {
  gateway?.kill();
  agent.destroy();
  await down();
}
