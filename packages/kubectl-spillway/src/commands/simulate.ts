/**
 * `kubectl spillway simulate -f FILE`: what the scheduler would do with the workloads in FILE now,
 * through Scheduler.Simulate (written nowhere). The scheduler's gRPC port is not exposed outside
 * the cluster: `kubectl -n spillway-system port-forward svc/spillway-scheduler 9090` and pass
 * `--scheduler-addr=127.0.0.1:9090` (or SPILLWAY_SCHEDULER_ADDR).
 */
import { readFileSync } from "node:fs";
import { createClient, Scheduler } from "@spillway/proto";
import { parseAllDocuments } from "yaml";
import { checkOutput, type CliOptions } from "../cli-options.ts";
import { formatTable } from "../core/table.ts";
import { printObject, type Io } from "./output.ts";

interface Manifest {
  kind?: string;
  metadata?: { name?: string; namespace?: string };
}

export async function simulate(o: CliOptions, flags: { file: string; schedulerAddr: string; replicas: number }, io: Io): Promise<number> {
  checkOutput(o, ["json", "yaml"]);
  if (!flags.file) throw new Error("must specify -f FILE (a FederatedDeployment or FederatedStatefulSet manifest; - for stdin)");
  const text = readFileSync(flags.file === "-" ? 0 : flags.file, "utf8");
  const docs = parseAllDocuments(text).map((d) => {
    if (d.errors.length) throw new Error(`${flags.file}: ${d.errors[0]!.message}`);
    return d.toJS() as Manifest | null;
  });
  const workloads = docs.filter((d): d is Manifest => d?.kind === "FederatedDeployment" || d?.kind === "FederatedStatefulSet");
  if (workloads.length === 0) throw new Error(`${flags.file} holds no FederatedDeployment or FederatedStatefulSet`);
  const client = createClient(Scheduler, flags.schedulerAddr);
  try {
    const results = [];
    for (const w of workloads) {
      if (o.namespace && !w.metadata?.namespace) w.metadata = { ...w.metadata, namespace: o.namespace };
      const r = await client
        .simulate({ workloadJson: JSON.stringify(w), replicas: flags.replicas }, { deadlineMs: 10_000 })
        .catch((err: Error & { details?: string }) => {
          throw new Error(`Scheduler.Simulate at ${flags.schedulerAddr}: ${err.details ?? err.message}`);
        });
      results.push({ workload: `${w.kind}/${w.metadata?.name ?? "simulated"}`, ...r });
    }
    if (o.output) {
      printObject(
        io,
        o.output,
        results.map((r) => ({
          workload: r.workload,
          clusters: r.clusters.map((c) => ({ cluster: c.cluster, replicas: c.replicas, reason: c.reason })),
          unschedulableReplicas: r.unschedulableReplicas,
          message: r.message,
        })),
      );
      return 0;
    }
    for (const r of results) {
      const placed = r.clusters.reduce((n, c) => n + c.replicas, 0);
      io.out(
        `${r.workload}: ${placed} replicas would be placed${r.unschedulableReplicas ? `, ${r.unschedulableReplicas} fit nowhere: ${r.message}` : ""}\n`,
      );
      io.out(
        formatTable(
          ["CLUSTER", "REPLICAS", "WHY"],
          r.clusters.map((c) => [c.cluster, String(c.replicas), c.reason]),
          o.noHeaders,
        ),
      );
    }
    return 0;
  } finally {
    client.close();
  }
}
