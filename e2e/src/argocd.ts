/**
 * Argo CD as its own repository runs it locally (its Procfile): the real application-controller
 * and repo-server, one binary built from github.com/argoproj/argo-cd/v3, as processes against the
 * host with ARGOCD_FAKE_IN_CLUSTER; Debian's redis-server as its cache; and a Git repository
 * served by `git daemon` on loopback, which the tests commit to as a user would push.
 * Started only by the tests that need it. Every process writes its log under the run's directory,
 * so a failure can be read after the fact.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { parse } from "yaml";
import { tail, runCommand, bin, binDir, buildDir, repoRoot, testbedDir } from "@spillway/testbed";
import { CustomObjectsApi } from "@kubernetes/client-node";
import { Informer } from "@spillway/kit";
import { contextOf, e2eKubeconfig, kubeConfigFor } from "./env.ts";
import { eventually } from "./helpers.ts";
import { kubectl } from "./kubectl.ts";
import { freePort } from "./service-process.ts";

export const ARGOCD_NAMESPACE = "argocd";
export const argocdBin = bin("argocd");
if (!existsSync(argocdBin)) throw new Error(`${argocdBin} is missing: build Argo CD first with \`make argocd\` (make test does)`);
/** The health checks Spillway ships for Argo CD (the chart's argocd-cm patch). */
export const healthChecksPath = join(repoRoot, "charts", "spillway", "argocd", "argocd-cm.yaml");

interface Proc {
  name: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  log: string;
}

export interface ArgoCD {
  /** Where the Application's source lives: `git://127.0.0.1:PORT/spillway.git`. */
  repoUrl: string;
  /** Writes `files` (path → content; null deletes) into the repository and pushes a commit; returns its SHA. */
  commit(files: Record<string, string | null>, message: string): Promise<string>;
  /** The directory holding every process's log. */
  dir: string;
  /** Argo CD's API server (what its UI and CLI read), when started with `{ api: true }`. */
  api?: string;
  stop(): Promise<void>;
}

async function git(cwd: string, args: string[]): Promise<string> {
  const r = await runCommand("git", ["-C", cwd, ...args]);
  if (r.code !== 0) throw new Error(`git ${args.join(" ")} in ${cwd}: ${r.stderr}`);
  return r.stdout.trim();
}

function start(dir: string, name: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): Proc {
  const log = join(dir, `${name}.log`);
  const out = createWriteStream(log);
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { name, child, exited, log };
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, "127.0.0.1");
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
  });
}

async function waitUntil(p: Proc, what: string, ready: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  await eventually(
    `${p.name}: ${what}`,
    async () => {
      if (p.child.exitCode !== null) throw new Error(`${p.name} exited with ${p.child.exitCode}:\n${tail(p.log, 30)}`);
      return (await ready()) ? true : undefined;
    },
    timeoutMs,
    200,
  );
}

async function apply(objects: unknown[], what: string, serverSide = false): Promise<void> {
  const r = await kubectl(
    "host",
    ["apply", ...(serverSide ? ["--server-side", "--force-conflicts"] : []), "-f", "-"],
    JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }),
  );
  if (r.code !== 0) throw new Error(`apply ${what}: ${r.stderr}`);
}

/** The Application and AppProject CRDs of the Argo CD that was built, then argocd-cm with Spillway's health checks. */
async function installArgoCDObjects(extraSettings: Record<string, string>): Promise<void> {
  const crds = ["application-crd.yaml", "appproject-crd.yaml"].map((f) => parse(readFileSync(join(buildDir, "argocd-crds", f), "utf8")));
  // The CRDs are too large for client-side apply's last-applied annotation.
  await apply(crds, "Argo CD's CRDs", true);
  // Polled: `kubectl wait` fails outright on a CRD whose status has no conditions yet.
  await eventually(
    "Argo CD's CRDs established",
    async () => {
      const r = await kubectl("host", ["get", "crd", "applications.argoproj.io", "appprojects.argoproj.io", "-o", "json"]);
      const items =
        r.code === 0
          ? (JSON.parse(r.stdout) as { items: Array<{ status?: { conditions?: Array<{ type: string; status: string }> } }> }).items
          : [];
      return items.length === 2 && items.every((c) => c.status?.conditions?.some((x) => x.type === "Established" && x.status === "True"))
        ? true
        : undefined;
    },
    60_000,
  );
  await kubectl("host", ["create", "namespace", ARGOCD_NAMESPACE]);
  const cm = parse(readFileSync(healthChecksPath, "utf8")) as { metadata: Record<string, unknown>; data: Record<string, string> };
  await apply(
    [
      { ...cm, metadata: { ...cm.metadata, namespace: ARGOCD_NAMESPACE }, data: { ...cm.data, ...extraSettings } },
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "argocd-secret", namespace: ARGOCD_NAMESPACE, labels: { "app.kubernetes.io/part-of": "argocd" } },
        stringData: { "server.secretkey": "e2e-only-not-a-secret" },
      },
      {
        apiVersion: "argoproj.io/v1alpha1",
        kind: "AppProject",
        metadata: { name: "default", namespace: ARGOCD_NAMESPACE },
        spec: {
          sourceRepos: ["*"],
          destinations: [{ server: "*", namespace: "*" }],
          clusterResourceWhitelist: [{ group: "*", kind: "*" }],
        },
      },
    ],
    "argocd-cm, argocd-secret and the default AppProject",
  );
}

/**
 * Starts redis-server, a Git server with one commit of `files`, the repo-server and the
 * application-controller. `settings` go into argocd-cm beside the health checks. With `api`, also
 * the API server its UI and CLI read (without authentication, on loopback): the resource tree.
 */
export async function startArgoCD(
  files: Record<string, string>,
  settings: Record<string, string> = {},
  options: { api?: boolean } = {},
): Promise<ArgoCD> {
  mkdirSync(testbedDir, { recursive: true });
  const dir = mkdtempSync(join(testbedDir, "argocd-"));
  const procs: Proc[] = [];
  const stop = async () => {
    for (const p of [...procs].reverse()) if (p.child.exitCode === null) p.child.kill("SIGTERM");
    await Promise.all(procs.map((p) => p.exited));
  };
  try {
    await installArgoCDObjects(settings);

    const redisPort = await freePort();
    const redis = start(dir, "redis", bin("redis-server"), [
      "--bind",
      "127.0.0.1",
      "--port",
      String(redisPort),
      "--save",
      "",
      "--appendonly",
      "no",
    ]);
    procs.push(redis);

    // The repository: a bare one served by git daemon (push enabled), and a working copy to commit from.
    const gitRoot = join(dir, "git");
    const work = join(dir, "work");
    mkdirSync(gitRoot);
    await runCommand("git", ["init", "-q", "--bare", "-b", "main", join(gitRoot, "spillway.git")]);
    const gitPort = await freePort();
    const daemon = start(dir, "git-daemon", "git", [
      "daemon",
      "--reuseaddr",
      "--listen=127.0.0.1",
      `--port=${gitPort}`,
      `--base-path=${gitRoot}`,
      "--export-all",
      "--enable=receive-pack",
      gitRoot,
    ]);
    procs.push(daemon);
    await waitUntil(redis, "listening", () => portOpen(redisPort));
    await waitUntil(daemon, "listening", () => portOpen(gitPort));
    const repoUrl = `git://127.0.0.1:${gitPort}/spillway.git`;
    await runCommand("git", ["clone", "-q", repoUrl, work]);
    await git(work, ["config", "user.name", "Spillway e2e"]);
    await git(work, ["config", "user.email", "e2e@spillway.dev"]);
    await git(work, ["checkout", "-q", "-b", "main"]);
    const commit = async (changes: Record<string, string | null>, message: string) => {
      for (const [path, content] of Object.entries(changes)) {
        if (content === null) await git(work, ["rm", "-q", path]);
        else {
          writeFileSync(join(work, path), content);
          await git(work, ["add", path]);
        }
      }
      await git(work, ["commit", "-q", "-m", message]);
      await git(work, ["push", "-q", "origin", "main"]);
      return git(work, ["rev-parse", "HEAD"]);
    };
    await commit(files, "the workloads");

    // Argo CD reads "in-cluster" from this kubeconfig (ARGOCD_FAKE_IN_CLUSTER): the host, as an admin would run it.
    const kubeconfig = join(dir, "kubeconfig");
    const view = await runCommand(bin("kubectl"), [
      "config",
      "view",
      "--flatten",
      "--minify",
      "--kubeconfig",
      e2eKubeconfig,
      "--context",
      contextOf("host"),
    ]);
    if (view.code !== 0) throw new Error(`kubeconfig for Argo CD: ${view.stderr}`);
    writeFileSync(kubeconfig, view.stdout);
    const local = (name: string) => {
      const d = join(dir, name);
      mkdirSync(d, { recursive: true });
      return d;
    };
    const env = {
      ARGOCD_FAKE_IN_CLUSTER: "true",
      KUBECONFIG: kubeconfig,
      ARGOCD_TLS_DATA_PATH: local("tls"),
      ARGOCD_SSH_DATA_PATH: local("ssh"),
      ARGOCD_GNUPGHOME: local("gpg/keys"),
      ARGOCD_GPG_DATA_PATH: local("gpg/source"),
      ARGOCD_GPG_ENABLED: "false",
      TMPDIR: local("tmp"),
    };
    const repoPort = await freePort();
    const repoServer = start(
      dir,
      "repo-server",
      argocdBin,
      [
        "--loglevel=info",
        "--address=127.0.0.1",
        `--port=${repoPort}`,
        `--metrics-address=127.0.0.1`,
        `--metrics-port=${await freePort()}`,
        `--redis=127.0.0.1:${redisPort}`,
      ],
      // Argo CD's scripts (git-verify-wrapper.sh), which its image has on PATH, are in the testbed's bin.
      { ...env, ARGOCD_BINARY_NAME: "argocd-repo-server", PATH: `${binDir}:${process.env["PATH"] ?? ""}` },
    );
    procs.push(repoServer);
    await waitUntil(repoServer, "serving gRPC", () => portOpen(repoPort));
    // The controller has no flag for its metrics address: it listens on every interface, at a free port.
    const metricsPort = await freePort();
    const controller = start(
      dir,
      "application-controller",
      argocdBin,
      [
        "--loglevel=info",
        `--namespace=${ARGOCD_NAMESPACE}`,
        `--redis=127.0.0.1:${redisPort}`,
        `--repo-server=127.0.0.1:${repoPort}`,
        `--metrics-port=${metricsPort}`,
        "--status-processors=4",
        "--operation-processors=2",
      ],
      { ...env, ARGOCD_BINARY_NAME: "argocd-application-controller" },
    );
    procs.push(controller);
    await waitUntil(
      controller,
      "/healthz",
      async () => (await fetch(`http://127.0.0.1:${metricsPort}/healthz`).catch(() => undefined))?.ok ?? false,
    );
    let api: string | undefined;
    if (options.api) {
      const apiPort = await freePort();
      const server = start(
        dir,
        "server",
        argocdBin,
        [
          "--loglevel=info",
          "--insecure",
          "--disable-auth",
          "--address=127.0.0.1",
          `--port=${apiPort}`,
          `--metrics-port=${await freePort()}`,
          `--namespace=${ARGOCD_NAMESPACE}`,
          `--redis=127.0.0.1:${redisPort}`,
          `--repo-server=127.0.0.1:${repoPort}`,
          `--staticassets=${local("static")}`,
        ],
        { ...env, ARGOCD_BINARY_NAME: "argocd-server" },
      );
      procs.push(server);
      api = `http://127.0.0.1:${apiPort}`;
      await waitUntil(server, "/healthz", async () => (await fetch(`${api}/healthz`).catch(() => undefined))?.ok ?? false);
    }
    return { repoUrl, commit, dir, stop, ...(api ? { api } : {}) };
  } catch (e) {
    await stop();
    throw new Error(`starting Argo CD (logs in ${dir}): ${(e as Error).message}`);
  }
}

/** An Argo CD Application as the tests read it. */
export interface Application {
  metadata: { name: string; namespace: string; annotations?: Record<string, string> };
  status?: {
    sync?: { status?: string; revision?: string };
    health?: { status?: string; message?: string };
    reconciledAt?: string;
    resources?: Array<{ kind: string; name: string; status?: string; health?: { status?: string } }>;
    operationState?: {
      phase?: string;
      message?: string;
      syncResult?: { revision?: string; resources?: Array<{ kind: string; name: string; status?: string; message?: string }> };
    };
  };
}

/**
 * One Application watched on the host: its latest state, every distinct (revision, sync, health)
 * the watch delivered (so "never OutOfSync in between" is judged on every change, not on samples),
 * waiting for a state, and a refresh as Argo CD's webhook asks for one.
 */
export function watchApplication(name: string) {
  const host = kubeConfigFor("host");
  const custom = host.makeApiClient(CustomObjectsApi);
  type Named = Application & { metadata: { name: string; namespace: string } };
  const informer = new Informer<Named>(host, {
    path: `/apis/argoproj.io/v1alpha1/namespaces/${ARGOCD_NAMESPACE}/applications`,
    list: () =>
      custom.listNamespacedCustomObject({
        group: "argoproj.io",
        version: "v1alpha1",
        namespace: ARGOCD_NAMESPACE,
        plural: "applications",
      }) as Promise<{
        items: Named[];
      }>,
    maxBackoffMs: 1000,
  });
  const app = () => informer.get(name, ARGOCD_NAMESPACE);
  const seen: Array<{ revision: string; sync: string; health: string }> = [];
  informer.addHandler(() => {
    const s = app()?.status;
    const now = { revision: s?.sync?.revision ?? "", sync: s?.sync?.status ?? "", health: s?.health?.status ?? "" };
    const last = seen.at(-1);
    if (!last || last.revision !== now.revision || last.sync !== now.sync || last.health !== now.health) seen.push(now);
  });
  return {
    app,
    seen,
    start: () => informer.start(),
    stop: () => informer.stop(),
    /** Asks Argo CD to look at Git now (what its webhook does on a push) instead of at its next poll. */
    refresh: async (kind: "normal" | "hard" = "normal") => {
      const r = await kubectl("host", [
        "annotate",
        "application",
        name,
        "-n",
        ARGOCD_NAMESPACE,
        `argocd.argoproj.io/refresh=${kind}`,
        "--overwrite",
      ]);
      if (r.code !== 0) throw new Error(`refresh ${name}: ${r.stderr}`);
    },
    waitApp: (what: string, ok: (a: Application) => boolean, timeoutMs = 150_000) =>
      eventually(
        what,
        async () => {
          const a = app();
          return a && ok(a) ? a : undefined;
        },
        timeoutMs,
        200,
      ).catch((e: Error) => {
        throw new Error(`${e.message}\nlast seen: ${JSON.stringify(app()?.status, null, 1)}`);
      }),
  };
}
