/**
 * kubectl-spillway: the fleet as application teams look at it, as a kubectl plugin
 * (`kubectl spillway …` runs this from PATH). Wiring only: parse, connect, run a command.
 */
import { parseArgs } from "node:util";
import { CustomObjectsApi } from "@kubernetes/client-node";
import { GROUP, VERSION as API_VERSION } from "@spillway/api";
import { connect, type CliOptions } from "./cli-options.ts";
import { clusters } from "./commands/clusters.ts";
import { fence } from "./commands/fence.ts";
import { join, unjoin } from "./commands/join.ts";
import type { Io } from "./commands/output.ts";
import { placement } from "./commands/placement.ts";
import { rolloutStatus } from "./commands/rollout-status.ts";
import { simulate } from "./commands/simulate.ts";
import { complete } from "./core/completion.ts";
import { describeError } from "./kube-errors.ts";
import { VERSION } from "./version.ts";

const USAGE = `kubectl spillway: the Spillway fleet from kubectl.

Commands:
  clusters                      Members best-ranked first: tier, priority, Ready, free/total CPU, memory, GPUs
  placement KIND/NAME           Where a workload's replicas (and ordinals) are, and why
  placement [-A]                Every workload's placement in the namespace (-A: in all namespaces)
  rollout status KIND/NAME      Watch a fleet-wide rollout until done (exit 0), stuck or --timeout (exit 1)
  simulate -f FILE              What the scheduler would do with FILE's workloads now (writes nothing)
  join MEMBER_CONTEXT --tier T  Register a cluster of your kubeconfig as a member, with least privilege
                                (the host is --context, or the current context)
  unjoin MEMBER_CONTEXT         Take it out again: the MemberCluster, its Secret, Spillway's identity in it
  fence CLUSTER                 Declare a member gone for good (its ordinals may start elsewhere)
  unfence CLUSTER               Take that back
  version                       The plugin's version

KIND: federateddeployment (fdeploy) or federatedstatefulset (fsts).
Completion: with kubectl's own shell completion set up, put kubectl_complete-spillway (beside this
plugin) on PATH and \`kubectl spillway <TAB>\` completes commands, kinds, flags and members.

Options:
  -n, --namespace NS            Namespace of the workload (default: the context's)
  -A, --all-namespaces          placement: list every namespace's
  -l, --selector SELECTOR       clusters: only members whose labels match, e.g. -l region=eu-west
  -o, --output FORMAT           json|yaml (objects), name, wide (more columns): clusters, placement; json|yaml: simulate
      --no-headers              Tables without the header line
      --timeout DURATION        rollout status: give up after this long, e.g. 5m, 90s (default: never)
  -w, --watch[=false]           rollout status: watch until done (default); --watch=false prints it once
  -f, --filename FILE           simulate: a manifest file, - for stdin
      --replicas N              simulate: at N replicas instead of the manifest's
      --scheduler-addr HOST:PORT  simulate: the scheduler's gRPC address (env SPILLWAY_SCHEDULER_ADDR,
                                default 127.0.0.1:9090, the chart's port: kubectl -n spillway-system
                                port-forward svc/spillway-scheduler 9090)
      --tier idc|cloud          join: the member's tier (idc fills before cloud)
      --priority N              join: lower fills first within a tier
      --region REGION           join: the member's region
      --name NAME               join, unjoin: the MemberCluster's name (default: the member context's)
      --server URL              join: the member's API address as the host's pods reach it (default: the kubeconfig's)
      --secret-namespace NS     join, unjoin: the host namespace of the kubeconfig Secret, the chart's release
                                namespace (default spillway-system)
      --dry-run[=client]        join: print what it would create, in the member and on the host, as YAML
      --kubeconfig FILE, --context NAME   as for kubectl
`;

/** `5m`, `90s`, `1h30m`, `250ms` or plain seconds, as kubectl's --timeout. */
export function parseDuration(text: string): number {
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text)
    throw new Error(`invalid --timeout ${JSON.stringify(text)}: use e.g. 90s, 5m, 1h`);
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  return parts.reduce((ms, p) => ms + Number(p[1]) * unit[p[2]!]!, 0);
}

/**
 * kubectl's boolean flags take `--watch=false` (and `-w=false`); Node's parser takes no value for a
 * boolean, so those spellings become `--no-watch` here, the rest stay as typed.
 */
export function normalizeWatch(argv: readonly string[]): { args: string[]; watch: boolean } {
  let watch = true;
  const args = argv.filter((a) => {
    const m = /^(?:--watch|-w)=(true|false)$/.exec(a);
    if (!m) return true;
    watch = m[1] === "true";
    return false;
  });
  return { args, watch };
}

export async function run(argv: string[], io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (argv[0] === "__complete") return completeCommand(argv.slice(1), io);
  // kubectl spells it --dry-run=client; the plugin's dry run is always the client's.
  const normalized = normalizeWatch(argv.map((a) => (a === "--dry-run=client" ? "--dry-run" : a)));
  const { values, positionals } = parseArgs({
    args: normalized.args,
    allowPositionals: true,
    strict: true,
    options: {
      kubeconfig: { type: "string" },
      context: { type: "string" },
      namespace: { type: "string", short: "n" },
      output: { type: "string", short: "o" },
      "no-headers": { type: "boolean", default: false },
      timeout: { type: "string" },
      watch: { type: "boolean", short: "w" },
      "all-namespaces": { type: "boolean", short: "A", default: false },
      selector: { type: "string", short: "l" },
      filename: { type: "string", short: "f" },
      replicas: { type: "string" },
      "scheduler-addr": { type: "string" },
      tier: { type: "string" },
      priority: { type: "string" },
      region: { type: "string" },
      name: { type: "string" },
      server: { type: "string" },
      "secret-namespace": { type: "string", default: "spillway-system" },
      "dry-run": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command || command === "help") {
    io.out(USAGE);
    return command || values.help ? 0 : 1;
  }
  const o: CliOptions = {
    kubeconfig: values.kubeconfig,
    context: values.context,
    namespace: values.namespace,
    output: values.output,
    noHeaders: values["no-headers"],
    allNamespaces: values["all-namespaces"],
    selector: values.selector,
  };
  switch (command) {
    case "clusters":
      return clusters(connect(o), o, io);
    case "placement":
      return placement(connect(o), o, rest, io);
    case "rollout": {
      if (rest[0] !== "status") throw new Error(`unknown command "rollout ${rest[0] ?? ""}": only "rollout status" exists`);
      const watch = normalized.watch;
      const timeoutMs = values.timeout ? parseDuration(values.timeout) : 0;
      return rolloutStatus(connect(o), rest.slice(1), { timeoutMs, watch }, io);
    }
    case "simulate": {
      const replicas = values.replicas === undefined ? 0 : Number(values.replicas);
      if (!Number.isInteger(replicas) || replicas < 0)
        throw new Error(`--replicas must be a non-negative integer, got ${JSON.stringify(values.replicas)}`);
      return simulate(
        o,
        {
          file: values.filename ?? "",
          schedulerAddr: values["scheduler-addr"] ?? env["SPILLWAY_SCHEDULER_ADDR"] ?? "127.0.0.1:9090",
          replicas,
        },
        io,
      );
    }
    case "join": {
      const priority = values.priority === undefined ? undefined : Number(values.priority);
      if (priority !== undefined && (!Number.isInteger(priority) || priority < 0))
        throw new Error(`--priority must be a non-negative integer, got ${JSON.stringify(values.priority)}`);
      return join(
        o,
        rest,
        {
          name: values.name,
          tier: values.tier,
          priority,
          region: values.region,
          server: values.server,
          secretNamespace: values["secret-namespace"],
          dryRun: values["dry-run"],
        },
        io,
      );
    }
    case "unjoin":
      return unjoin(o, rest, { name: values.name, secretNamespace: values["secret-namespace"] }, io);
    case "fence":
    case "unfence":
      return fence(connect(o), rest, command === "fence", io);
    case "version":
      io.out(o.output === "json" ? `${JSON.stringify({ clientVersion: VERSION })}\n` : `kubectl-spillway v${VERSION}\n`);
      return 0;
    default:
      throw new Error(`unknown command "${command}" for "kubectl spillway"; see kubectl spillway --help`);
  }
}

/** `__complete WORDS…`: what kubectl's completion asks for (fence/unfence offer the members, if reachable). */
async function completeCommand(words: string[], io: Io): Promise<number> {
  const done = words.slice(0, -1).filter((w) => !w.startsWith("-"));
  let clusters: string[] = [];
  if (done.length === 1 && (done[0] === "fence" || done[0] === "unfence")) {
    try {
      const kube = connect({ noHeaders: false });
      const api = kube.kc.makeApiClient(CustomObjectsApi);
      const list = (await api.listClusterCustomObject({ group: GROUP, version: API_VERSION, plural: "memberclusters" })) as {
        items: Array<{ metadata: { name: string } }>;
      };
      clusters = list.items.map((m) => m.metadata.name);
    } catch {
      // No cluster to ask: complete without names.
    }
  }
  io.out(complete(words, { clusters }));
  return 0;
}

/** The plugin's process: kubectl's exit-code habits, errors as kubectl prints them. */
export async function main(): Promise<void> {
  const io: Io = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };
  try {
    process.exitCode = await run(process.argv.slice(2), io);
  } catch (err) {
    io.err(`${describeError(err)}\n`);
    process.exitCode = 1;
  }
}
