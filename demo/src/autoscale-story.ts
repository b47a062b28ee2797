/**
 * The demo's autoscaling story, on samples/gpu-inference.yaml: idle, ONE replica fleet-wide; under
 * load (kwok's usage annotation raised on every pod) it fills IDC's GPUs, spills to cloud-1 and stops
 * at what the fleet can place; when the load drops it drains cloud first and ends at one replica in
 * IDC. Prints the fleet-wide replica count and where the replicas run as it goes.
 */
import { join } from "node:path";
import { kubectl, repoRoot, waitFor } from "@spillway/testbed";

const NS = "ml";
const APP = "llm";
const USAGE = "kwok.x-k8s.io/usage-cpu";

interface Fhpa {
  status?: {
    desiredReplicas?: number;
    targets?: string;
    conditions?: Array<{ type: string; status: string; reason: string; message: string }>;
  };
}

export async function autoscalingStory(members: string[], log: (line: string) => void): Promise<void> {
  const sample = join(repoRoot, "samples", "gpu-inference.yaml");
  await kubectl("host", ["apply", "-f", sample]);
  log(`autoscaling: ${sample} — a model on GPUs, FederatedHPA min 1 / max 40 on CPU utilization 50 %`);
  const running = async () =>
    Promise.all(
      members.map(async (m) => {
        const out = await kubectl(m, ["get", "pods", "-n", NS, "-l", `app=${APP}`, "-o", "jsonpath={.items[*].status.phase}"]).catch(
          () => "",
        );
        return out.split(/\s+/).filter((p) => p === "Running").length;
      }),
    );
  const fhpa = async () => JSON.parse((await kubectl("host", ["get", "fhpa", "-n", NS, APP, "-o", "json"])) || "{}") as Fhpa;
  let last = "";
  const show = async () => {
    const per = await running();
    const h = await fhpa();
    const limited = h.status?.conditions?.find((c) => c.type === "ScalingLimited" && c.status === "True");
    const line = `    ${String(per.reduce((a, b) => a + b, 0)).padStart(2)} running fleet-wide  [${members.map((m, i) => `${m} ${per[i]}`).join(", ")}]  targets ${h.status?.targets ?? "-"}${limited ? `  ScalingLimited ${limited.reason}` : ""}`;
    if (line !== last) console.log(line);
    last = line;
    return { per, h, limited };
  };
  // Load is kwok's: every pod of the sample reports `cpu` as its usage, new ones included.
  let cpu = "";
  let stopped = false;
  const loader = (async () => {
    while (!stopped) {
      if (cpu)
        await Promise.all(
          members.map((m) =>
            kubectl(m, ["annotate", "pods", "-n", NS, "-l", `app=${APP}`, `${USAGE}=${cpu}`, "--overwrite"]).catch(() => ""),
          ),
        );
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();
  try {
    log("idle: one replica in the whole fleet (per-cluster HPAs with minReplicas 1 would keep one per member):");
    await waitFor("one llm replica Running", async () => (await show()).per.reduce((a, b) => a + b, 0) === 1, {
      timeoutMs: 120_000,
      intervalMs: 1000,
    });
    log("load: every replica at 200 % of its CPU request (target 50 %):");
    cpu = "2000m";
    const peak = await waitFor(
      "llm at the fleet's capacity",
      async () => {
        const s = await show();
        return s.limited?.reason === "FleetCapacity" && s.per.reduce((a, b) => a + b, 0) === s.h.status?.desiredReplicas;
      },
      { timeoutMs: 300_000, intervalMs: 1000 },
    ).then(fhpa);
    const why = peak.status?.conditions?.find((c) => c.type === "ScalingLimited");
    log(`stopped at what the fleet can place: ${why?.message ?? ""}`);
    log("load drops: back within the scale-down policy, cloud first:");
    cpu = "10m";
    await waitFor(
      "llm back to one replica",
      async () => {
        const s = await show();
        return s.per.reduce((a, b) => a + b, 0) === 1 && s.per[members.length - 1] === 0;
      },
      { timeoutMs: 300_000, intervalMs: 1000 },
    );
    log(`autoscaling done: kubectl --context host get fhpa -n ${NS} reads like kubectl get hpa:`);
    console.log((await kubectl("host", ["get", "fhpa", "-n", NS])).trimEnd().replace(/^/gm, "    "));
  } finally {
    stopped = true;
    await loader;
  }
}
