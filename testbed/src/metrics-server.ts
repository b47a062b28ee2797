/**
 * metrics-server in a member, as a local process: it reads every kwok node's emulated kubelet
 * metrics (`/metrics/resource`, pod usage from the `kwok.x-k8s.io/usage-cpu` / `-memory`
 * annotations) over plain HTTP — kwok's server has no TLS here — and is registered as the
 * `v1beta1.metrics.k8s.io` APIService behind the member's apiserver, so `kubectl top` and any
 * client of the metrics API see real PodMetrics. The Service is an ExternalName to loopback, as
 * kwokctl's binary runtime does it.
 */
import { join } from "node:path";
import type { RunningCluster } from "./control-plane.ts";
import { apply, kubectl } from "./kubectl.ts";
import { bin } from "./paths.ts";
import { waitFor, type ProcessTable } from "./processes.ts";

export async function startMetricsServer(table: ProcessTable, c: RunningCluster): Promise<void> {
  const name = `${c.spec.name}-metrics-server`;
  const record = table.start(name, [
    bin("metrics-server"),
    `--kubeconfig=${c.kubeconfig}`,
    `--authentication-kubeconfig=${c.kubeconfig}`,
    `--authorization-kubeconfig=${c.kubeconfig}`,
    "--bind-address=127.0.0.1",
    `--secure-port=${c.ports.metricsServer}`,
    `--cert-dir=${join(c.dir, "pki", "metrics-server")}`,
    "--kubelet-use-node-status-port",
    "--kubelet-preferred-address-types=InternalIP",
    "--deprecated-kubelet-completely-insecure",
    // Scrape often, so a usage a test sets shows within seconds (the minimum is 10 s).
    "--metric-resolution=10s",
    "--kubelet-request-timeout=5s",
  ]);
  await apply(c.spec.name, [
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "metrics-server", namespace: "kube-system", labels: { "k8s-app": "metrics-server" } },
      spec: { type: "ExternalName", externalName: "127.0.0.1" },
    },
    {
      apiVersion: "apiregistration.k8s.io/v1",
      kind: "APIService",
      metadata: { name: "v1beta1.metrics.k8s.io", labels: { "k8s-app": "metrics-server" } },
      spec: {
        group: "metrics.k8s.io",
        version: "v1beta1",
        groupPriorityMinimum: 100,
        versionPriority: 100,
        insecureSkipTLSVerify: true,
        service: { name: "metrics-server", namespace: "kube-system", port: c.ports.metricsServer },
      },
    },
  ]);
  await waitFor(
    `${c.spec.name}: metrics.k8s.io available`,
    async () =>
      (
        await kubectl(c.spec.name, [
          "get",
          "apiservice",
          "v1beta1.metrics.k8s.io",
          "-o",
          'jsonpath={.status.conditions[?(@.type=="Available")].status}',
        ])
      ).trim() === "True",
    { timeoutMs: 60_000, table, record, intervalMs: 300 },
  );
}
