/**
 * Real resource metrics in every member: metrics-server (built from sigs.k8s.io/metrics-server)
 * serves the `metrics.k8s.io` API over kwok's emulated kubelet metrics, so the usage a test sets
 * on a pod by annotation is what `kubectl top pods` and the metrics API report. The federated
 * autoscaler reads exactly this API. On clusters of your own (kind), install metrics-server.
 */
import { afterAll, beforeAll, describe, expect } from "@jest/globals";
import { CoreV1Api } from "@kubernetes/client-node";
import { parseQuantity } from "@spillway/resources";
import { kubeConfigFor, testImage, type ClusterRole } from "./env.ts";
import { createNamespace, deleteNamespace, eventually, uniqueName } from "./helpers.ts";
import { kubectl } from "./kubectl.ts";
import { itOnLocalTestbed } from "./local-testbed.ts";
import { MEMBERS } from "./rollout-services.ts";

const ns = uniqueName("e2e-metrics");

describe("metrics.k8s.io in every member", () => {
  beforeAll(async () => {
    for (const m of MEMBERS) {
      await createNamespace(m, ns);
      await kubeConfigFor(m)
        .makeApiClient(CoreV1Api)
        .createNamespacedPod({
          namespace: ns,
          body: {
            metadata: { name: "busy", annotations: { "kwok.x-k8s.io/usage-cpu": "750m", "kwok.x-k8s.io/usage-memory": "300Mi" } },
            spec: { containers: [{ name: "app", image: testImage(1), resources: { requests: { cpu: "1" } } }] },
          },
        });
    }
  });
  afterAll(async () => {
    for (const m of MEMBERS) await deleteNamespace(m, ns);
  });

  for (const member of MEMBERS)
    itOnLocalTestbed(
      `kubectl --context ${member} top pods shows the usage set by annotation`,
      () => topShowsUsage(member),
      `${member}-metrics-server`,
      "usage comes from kwok's pod annotations, through the metrics-server it runs (make test sets SPILLWAY_TESTBED_METRICS=1)",
    );
});

async function topShowsUsage(member: ClusterRole): Promise<void> {
  const row = await eventually(
    `${member}: PodMetrics of busy`,
    async () => {
      const r = await kubectl(member, ["top", "pods", "-n", ns, "--no-headers"]);
      return r.code === 0 && r.stdout.includes("busy") ? r.stdout.trim() : undefined;
    },
    90_000,
    1000,
  );
  const [name, cpu, memory] = row.split(/\s+/);
  expect(name).toBe("busy");
  // kwok integrates the usage into a cumulative counter; the rate metrics-server derives is the usage.
  expect(Math.abs(parseQuantity(cpu!) - 0.75)).toBeLessThanOrEqual(0.0375);
  expect(parseQuantity(memory!)).toBe(300 * 2 ** 20);
  const raw = await kubectl(member, ["get", "--raw", `/apis/metrics.k8s.io/v1beta1/namespaces/${ns}/pods/busy`]);
  const pm = JSON.parse(raw.stdout) as { containers: Array<{ name: string; usage: { cpu: string; memory: string } }>; window: string };
  expect(pm.containers.map((c) => c.name)).toEqual(["app"]);
  expect(parseQuantity(pm.containers[0]!.usage.memory)).toBe(300 * 2 ** 20);
}
