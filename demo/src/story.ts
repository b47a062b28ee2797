#!/usr/bin/env node
/**
 * `make story`: the demo's two stories, played on the federation `make demo` brought up.
 * 1. A fleet-wide rollout: a new image on the 40-replica sample, rolled out across the members
 *    with one budget (maxSurge 25 % and maxUnavailable 25 % of 40: at most 50 pods, at least 30
 *    available), a line per change.
 * 2. The autoscaler (samples/gpu-inference.yaml): idle at ONE replica fleet-wide, under load up to
 *    what the fleet can place, and back to one in IDC when the load drops.
 */
import { kubectl, loadTopology, waitFor } from "@spillway/testbed";
import { autoscalingStory } from "./autoscale-story.ts";

const log = (line: string) => console.log(`story: ${line}`);

async function rolloutStory(): Promise<void> {
  // The story end to end: the sample lands IDC first, then a new image rolls out fleet-wide
  // with one budget (maxSurge 25% and maxUnavailable 25% of 40 replicas: at most 50 pods, at least 30 available).
  const fdStatus = async () =>
    JSON.parse((await kubectl("host", ["get", "federateddeployment", "-n", "shop", "web", "-o", "json"])) || "{}") as {
      metadata: { generation: number };
      status?: {
        observedGeneration?: number;
        replicas?: number;
        updatedReplicas?: number;
        availableReplicas?: number;
        clusters?: Array<{ name: string; replicas: number; availableReplicas?: number; updatedReplicas?: number }>;
      };
    };
  const rolledOut = (fd: Awaited<ReturnType<typeof fdStatus>>) =>
    fd.status?.observedGeneration === fd.metadata.generation &&
    fd.status.updatedReplicas === 40 &&
    fd.status.availableReplicas === 40 &&
    fd.status.replicas === 40;
  await waitFor("the sample running in its members", async () => rolledOut(await fdStatus()), { timeoutMs: 120_000, intervalMs: 500 });
  // Each play of the story rolls to the other image, so it can be played again.
  const current = await kubectl("host", [
    "get",
    "fdeploy",
    "-n",
    "shop",
    "web",
    "-o",
    "jsonpath={.spec.template.spec.containers[0].image}",
  ]);
  const image = current.trim().endsWith(":1.1.0") ? "registry.example/shop/web:1.0.0" : "registry.example/shop/web:1.1.0";
  await kubectl("host", [
    "patch",
    "federateddeployment",
    "-n",
    "shop",
    "web",
    "--type=json",
    "-p",
    JSON.stringify([{ op: "replace", path: "/spec/template/spec/containers/0/image", value: image }]),
  ]);
  log(`rolling out ${image} across the fleet (maxSurge 25%, maxUnavailable 25% of 40: ≤ 50 pods, ≥ 30 available):`);
  const rollStart = Date.now();
  let lastLine = "";
  await waitFor(
    "the rollout to finish",
    async () => {
      const fd = await fdStatus();
      const per = (fd.status?.clusters ?? []).map((c) => `${c.name} ${c.updatedReplicas ?? 0}/${c.replicas}`).join(", ");
      const line = `    updated ${fd.status?.updatedReplicas ?? 0}/40, available ${fd.status?.availableReplicas ?? 0}, pods ${fd.status?.replicas ?? 0}  [${per}]`;
      if (line !== lastLine) console.log(line);
      lastLine = line;
      return rolledOut(fd) && (fd.status?.clusters ?? []).every((c) => (c.updatedReplicas ?? 0) === c.replicas);
    },
    { timeoutMs: 180_000, intervalMs: 1000 },
  );
  log(`rollout complete in ${((Date.now() - rollStart) / 1000).toFixed(1)}s`);
}

try {
  await rolloutStory();
  const topology = loadTopology();
  if (topology.metricsServer)
    await autoscalingStory(
      topology.clusters.filter((c) => c.role === "member").map((c) => c.name),
      log,
    );
  else log("autoscaling: this topology runs no metrics-server, so the autoscaler has nothing to read (set metricsServer)");
} catch (err) {
  console.error(`story: failed: ${err instanceof Error ? err.message : String(err)} (is the demo up? make demo)`);
  process.exit(1);
}
