/**
 * Proof that the members are real clusters: the member's own kube-scheduler places pods against
 * the simulated nodes' allocatable CPU, and what does not fit stays Pending as Unschedulable.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { AppsV1Api, CoreV1Api, type V1Pod } from "@kubernetes/client-node";
import { kubeConfigFor, testImage } from "./env.ts";
import { createNamespace, deleteNamespace, eventually, uniqueName } from "./helpers.ts";
import { milliCpu } from "@spillway/resources";

const milli = (q: string) => milliCpu(q);

describe("a member cluster of the testbed", () => {
  const kc = kubeConfigFor("idc-1");
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const ns = uniqueName("e2e-capacity");

  beforeAll(() => createNamespace("idc-1", ns));
  afterAll(() => deleteNamespace("idc-1", ns));

  it("runs exactly as many pods as its nodes' CPU holds and leaves the rest Pending/Unschedulable", async () => {
    const perPodMilli = 6000;
    // What fits, from the nodes themselves: free CPU per schedulable node, minus what runs there.
    const nodes = (await core.listNode()).items.filter(
      (n) => !n.spec?.unschedulable && !(n.spec?.taints ?? []).some((t) => t.effect === "NoSchedule"),
    );
    const pods = (await core.listPodForAllNamespaces()).items.filter(
      (p) => p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed",
    );
    let fits = 0;
    for (const node of nodes) {
      const used = pods
        .filter((p) => p.spec?.nodeName === node.metadata!.name)
        .flatMap((p) => p.spec!.containers)
        .reduce((s, c) => s + milli(String(c.resources?.requests?.["cpu"] ?? "0")), 0);
      fits += Math.floor((milli(String(node.status!.allocatable!["cpu"])) - used) / perPodMilli);
    }
    const replicas = fits + 3;
    expect(fits).toBeGreaterThan(0);

    await apps.createNamespacedDeployment({
      namespace: ns,
      body: {
        metadata: { name: "hungry" },
        spec: {
          replicas,
          selector: { matchLabels: { app: "hungry" } },
          template: {
            metadata: { labels: { app: "hungry" } },
            spec: {
              containers: [{ name: "app", image: testImage(1), resources: { requests: { cpu: `${perPodMilli}m`, memory: "1Gi" } } }],
            },
          },
        },
      },
    });

    const isUnschedulable = (p: V1Pod) =>
      p.status?.phase === "Pending" &&
      (p.status.conditions ?? []).some((c) => c.type === "PodScheduled" && c.status === "False" && c.reason === "Unschedulable");
    const settled = await eventually(
      `${replicas} pods of which ${fits} Running and Ready`,
      async () => {
        const list = (await core.listNamespacedPod({ namespace: ns, labelSelector: "app=hungry" })).items;
        const running = list.filter(
          (p) => p.status?.phase === "Running" && (p.status.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"),
        );
        const pending = list.filter(isUnschedulable);
        return list.length === replicas && running.length === fits && pending.length === replicas - fits ? { running, pending } : undefined;
      },
      90_000,
    );
    expect(settled.running).toHaveLength(fits);
    expect(settled.pending).toHaveLength(3);
    expect(settled.pending[0]!.status!.conditions!.find((c) => c.type === "PodScheduled")!.message).toMatch(/Insufficient cpu/);
    // The controller-manager is real too: the Deployment reports the same split.
    const status = await eventually("deployment status to settle", async () => {
      const d = await apps.readNamespacedDeployment({ namespace: ns, name: "hungry" });
      return d.status?.readyReplicas === fits ? d.status : undefined;
    });
    expect(status.replicas).toBe(replicas);
    expect(status.unavailableReplicas).toBe(3);
  });
});
