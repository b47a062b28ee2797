/**
 * The fleet API against real control planes: brings up a private testbed (host + the default three
 * members, ports from 24000), a real cluster-gateway serving the fleet API's storage and the real
 * fleet-apiserver, then measures
 *   1. LIST of BENCH_PODS pods (default 10,000) spread over the three members through the fleet API,
 *      against a direct LIST of the same pods (same specs) from one member's API server;
 *   2. watch latency: a pod created in a member → its ADDED event at a client watching the fleet API;
 *   3. the cost of 50 watchers on the fleet API to the members (their open pod watches, before/after);
 *   4. the gateway's resident memory before and after holding the pods.
 *   node services/cluster-gateway/bench/fleet-api.bench.ts
 */
import { spawn } from "node:child_process";
import { request } from "node:https";
import { join } from "node:path";

const PODS = Number(process.env["BENCH_PODS"] ?? 10_000);
const LISTS = Number(process.env["BENCH_LISTS"] ?? 7);
const LAG_PODS = Number(process.env["BENCH_LAG_PODS"] ?? 200);
const WATCHERS = 50;

const root = join(import.meta.dirname, "..", "..", "..");
process.env["SPILLWAY_TESTBED_DIR"] ??= join(root, ".testbed", "bench-fleet");
process.env["SPILLWAY_TESTBED_PORT_BASE"] ??= "24000";
process.env["SPILLWAY_TESTBED_METRICS"] = "0";
process.env["SPILLWAY_TESTBED_POD_READY_DELAY_MS"] ??= "0";
const { up, down, loadTopology, kubeconfigPath, startFleetApi } = await import("@spillway/testbed");
const { KubeConfig, CoreV1Api } = await import("@kubernetes/client-node");

interface Target {
  server: string;
  token: string;
}

/** One GET, body read to the end; resolves with the status, the bytes and the time taken. */
function get(t: Target, path: string): Promise<{ status: number; bytes: number; ms: number; body: string }> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, t.server),
      { rejectUnauthorized: false, headers: { authorization: `Bearer ${t.token}`, accept: "application/json" } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const body = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, bytes: body.length, ms: performance.now() - start, body: body.toString("utf8") });
        });
      },
    );
    req.on("error", reject);
    req.end();
  });
}

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

let gateway: ReturnType<typeof spawn> | undefined;
try {
  const topology = { ...loadTopology(), metricsServer: false, podReadyDelayMs: 0 };
  const fed = await up(topology, (l) => console.log(`testbed: ${l}`));
  const members = fed.clusters.filter((c) => c.spec.role === "member");
  const host = fed.clusters.find((c) => c.spec.role === "host")!;
  gateway = spawn(
    process.execPath,
    [
      join(root, "services", "cluster-gateway", "src", "main.ts"),
      `--kubeconfig=${kubeconfigPath}`,
      "--context=host",
      `--nats-url=${fed.natsUrl}`,
      "--health-addr=127.0.0.1:0",
      "--grpc-addr=127.0.0.1:0",
      "--identity=bench-gateway",
      "--lease-namespace=spillway-system",
      `--fleet-storage-addr=${fed.fleet.storageAddr}`,
    ],
    { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, LOG_LEVEL: "warn" } },
  );
  const fleetApi = await startFleetApi();
  const fleet: Target = { server: fleetApi.server, token: host.credentials.token };
  const direct = (name: string): Target => {
    const m = members.find((c) => c.spec.name === name)!;
    return { server: m.server, token: m.credentials.token };
  };
  const rssBefore = await rssKb(gateway.pid!);

  // The same pods twice: spread over the three members in `spread`, all in idc-1 in `single`.
  const clients = new Map(
    members.map((m) => {
      const kc = new KubeConfig();
      kc.loadFromFile(kubeconfigPath);
      kc.setCurrentContext(m.spec.name);
      return [m.spec.name, kc.makeApiClient(CoreV1Api)] as const;
    }),
  );
  for (const [, core] of clients)
    for (const ns of ["spread", "single", "lag"]) await core.createNamespace({ body: { metadata: { name: ns } } });
  const nodesOf = new Map(members.map((m) => [m.spec.name, m.spec.nodePools!.reduce((s, p) => s + p.count, 0)]));
  const pod = (i: number, member: string, namespace: string) => ({
    metadata: { name: `p-${i}`, namespace, labels: { app: `a${i % 50}` } },
    spec: {
      nodeName: `${member}-node-${i % nodesOf.get(member)!}`,
      containers: [{ name: "c", image: "registry.k8s.io/pause:3.9", resources: { requests: { cpu: "10m", memory: "16Mi" } } }],
    },
  });
  const c0 = performance.now();
  const creates: Array<[string, string, number]> = [];
  for (let i = 0; i < PODS; i++) creates.push([members[i % 3]!.spec.name, "spread", i], ["idc-1", "single", i]);
  await pool(creates, 48, ([m, ns, i]) => clients.get(m)!.createNamespacedPod({ namespace: ns, body: pod(i, m, ns) }));
  console.log(`created ${2 * PODS} pods in ${((performance.now() - c0) / 1000).toFixed(1)} s`);
  await until("the fleet API lists every pod", async () => {
    const r = await get(fleet, "/api/v1/namespaces/spread/pods?limit=1");
    return r.status === 200 && JSON.parse(r.body).metadata.remainingItemCount === PODS - 1;
  });

  // 1. LIST: alternate so that both see the same machine load; JSON, full bodies read.
  const viaFleet: number[] = [];
  const viaMember: number[] = [];
  let fleetBytes = 0;
  let memberBytes = 0;
  for (let i = 0; i < LISTS; i++) {
    const f = await get(fleet, "/api/v1/namespaces/spread/pods");
    const d = await get(direct("idc-1"), "/api/v1/namespaces/single/pods");
    if (JSON.parse(f.body).items.length !== PODS || JSON.parse(d.body).items.length !== PODS) throw new Error("a list is short");
    viaFleet.push(f.ms);
    viaMember.push(d.ms);
    fleetBytes = f.bytes;
    memberBytes = d.bytes;
  }

  const ms = (x: number) => `${x.toFixed(0)} ms`;
  console.log(`the fleet API against real control planes (3 members, ${PODS} pods spread over them):`);
  console.log(
    `  LIST ${PODS} pods        fleet API median ${ms(median(viaFleet))} (${(fleetBytes / 2 ** 20).toFixed(1)} MiB)  ` +
      `direct from one member median ${ms(median(viaMember))} (${(memberBytes / 2 ** 20).toFixed(1)} MiB)  ` +
      `ratio ${(median(viaFleet) / median(viaMember)).toFixed(2)} (target ≤ 1.5; ${LISTS} lists each, alternated)`,
  );

  // 2. Watch latency: member create → ADDED at a client of the fleet API.
  const seen = new Map<string, number>();
  const rv = JSON.parse((await get(fleet, "/api/v1/namespaces/lag/pods")).body).metadata.resourceVersion;
  const stopLag = watch(fleet, `/api/v1/namespaces/lag/pods?watch=1&resourceVersion=${rv}`, (e) => {
    if (e.type === "ADDED") seen.set(e.object.metadata.name, performance.now());
  });
  const lags: number[] = [];
  for (let i = 0; i < LAG_PODS; i++) {
    const m = members[i % 3]!.spec.name;
    await clients.get(m)!.createNamespacedPod({ namespace: "lag", body: pod(i, m, "lag") });
    const created = performance.now();
    const name = `p-${i}`;
    await until(`ADDED ${name}`, async () => seen.has(name), 30_000);
    lags.push(seen.get(name)! - created);
  }
  stopLag();

  // 3. 50 watchers on the fleet API: the members' open pod watches before and after.
  const memberWatches = async () => {
    let n = 0;
    for (const m of members) {
      const metrics = (await get(direct(m.spec.name), "/metrics")).body;
      for (const line of metrics.split("\n"))
        if (line.startsWith("apiserver_longrunning_requests{") && line.includes('resource="pods"') && line.includes('verb="WATCH"'))
          n += Number(line.split(" ").pop());
    }
    return n;
  };
  const before = await memberWatches();
  const stops = Array.from({ length: WATCHERS }, () => watch(fleet, "/api/v1/pods?watch=1", () => {}));
  await new Promise((r) => setTimeout(r, 3000));
  const during = await memberWatches();
  for (const s of stops) s();
  const rssAfter = await rssKb(gateway.pid!);

  console.log(
    `  watch latency           member create → ADDED at a fleet client: p50 ${pct(lags, 0.5).toFixed(1)} ms, p99 ${pct(lags, 0.99).toFixed(1)} ms over ${LAG_PODS} pods (target p99 ≤ 50 ms)`,
  );
  console.log(
    `  ${WATCHERS} fleet watchers     members' open pod watches: ${before} before, ${during} with them (one per member and resource)`,
  );
  console.log(`  gateway memory          RSS ${mib(rssBefore)} with no pods, ${mib(rssAfter)} holding ${2 * PODS + LAG_PODS} pods`);
} finally {
  gateway?.kill();
  await down();
}
