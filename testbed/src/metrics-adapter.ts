/**
 * The custom and external metrics APIs on the host, as a local process: testbed-metrics-adapter
 * (built on sigs.k8s.io/custom-metrics-apiserver) registered as `v1beta2.custom.metrics.k8s.io`
 * and `v1beta1.external.metrics.k8s.io` behind the host's apiserver, with the values tests write
 * over HTTP on loopback (`metricsWriteUrl`). The federated autoscaler reads Pods, Object and
 * External metrics there exactly as it would from Prometheus Adapter or KEDA in production.
 */
import { join } from "node:path";
import type { RunningCluster } from "./control-plane.ts";
import { apply, kubectl } from "./kubectl.ts";
import { bin } from "./paths.ts";
import { waitFor, type ProcessTable } from "./processes.ts";

const API_SERVICES = [
  { name: "v1beta2.custom.metrics.k8s.io", group: "custom.metrics.k8s.io", version: "v1beta2" },
  { name: "v1beta1.external.metrics.k8s.io", group: "external.metrics.k8s.io", version: "v1beta1" },
];

export async function startMetricsAdapter(table: ProcessTable, host: RunningCluster): Promise<void> {
  const record = table.start(`${host.spec.name}-metrics-adapter`, [
    bin("testbed-metrics-adapter"),
    `--lister-kubeconfig=${host.kubeconfig}`,
    `--authentication-kubeconfig=${host.kubeconfig}`,
    `--authorization-kubeconfig=${host.kubeconfig}`,
    "--bind-address=127.0.0.1",
    `--secure-port=${host.ports.metricsServer}`,
    `--cert-dir=${join(host.dir, "pki", "metrics-adapter")}`,
    `--write-addr=127.0.0.1:${host.ports.metricsWrite}`,
  ]);
  await apply(host.spec.name, [
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "metrics-adapter", namespace: "kube-system", labels: { "app.kubernetes.io/name": "metrics-adapter" } },
      spec: { type: "ExternalName", externalName: "127.0.0.1" },
    },
    ...API_SERVICES.map((a) => ({
      apiVersion: "apiregistration.k8s.io/v1",
      kind: "APIService",
      metadata: { name: a.name, labels: { "app.kubernetes.io/name": "metrics-adapter" } },
      spec: {
        group: a.group,
        version: a.version,
        groupPriorityMinimum: 100,
        versionPriority: 100,
        insecureSkipTLSVerify: true,
        service: { name: "metrics-adapter", namespace: "kube-system", port: host.ports.metricsServer },
      },
    })),
  ]);
  await waitFor(
    `${host.spec.name}: custom and external metrics APIs available`,
    async () => {
      const out = await kubectl(host.spec.name, [
        "get",
        "apiservice",
        ...API_SERVICES.map((a) => a.name),
        "-o",
        'jsonpath={range .items[*]}{.status.conditions[?(@.type=="Available")].status}{"\\n"}{end}',
      ]);
      return out.split("\n").filter((s) => s === "True").length === API_SERVICES.length;
    },
    { timeoutMs: 60_000, table, record, intervalMs: 300 },
  );
}

/** Where tests write custom and external metric values on the host. */
export const metricsWriteUrl = (host: { ports: { metricsWrite: number } }) => `http://127.0.0.1:${host.ports.metricsWrite}`;
