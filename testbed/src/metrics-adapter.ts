/**
 * The custom metrics APIs, as local processes: testbed-metrics-adapter (built on
 * sigs.k8s.io/custom-metrics-apiserver) registered behind a cluster's apiserver, with the values
 * tests write over HTTP on loopback (`metricsWriteUrl`). One in each member serves
 * `v1beta2.custom.metrics.k8s.io` for the member's own pods (a read by selector answers for the
 * pods it matches there, as Prometheus Adapter does), read by cluster-gateway for Pods metrics;
 * the host's serves it and `v1beta1.external.metrics.k8s.io` for Object and External metrics.
 * The federated autoscaler reads them exactly as it would Prometheus Adapter or KEDA's.
 */
import { join } from "node:path";
import type { RunningCluster } from "./control-plane.ts";
import { apply, kubectl } from "./kubectl.ts";
import { bin } from "./paths.ts";
import { probeOk } from "./probe.ts";
import { waitFor, type ProcessTable } from "./processes.ts";

const CUSTOM = { name: "v1beta2.custom.metrics.k8s.io", group: "custom.metrics.k8s.io", version: "v1beta2" };
const EXTERNAL = { name: "v1beta1.external.metrics.k8s.io", group: "external.metrics.k8s.io", version: "v1beta1" };

export async function startMetricsAdapter(table: ProcessTable, host: RunningCluster): Promise<void> {
  const API_SERVICES = host.spec.role === "host" ? [CUSTOM, EXTERNAL] : [CUSTOM];
  const record = table.start(`${host.spec.name}-metrics-adapter`, [
    bin("testbed-metrics-adapter"),
    `--lister-kubeconfig=${host.kubeconfig}`,
    `--authentication-kubeconfig=${host.kubeconfig}`,
    `--authorization-kubeconfig=${host.kubeconfig}`,
    "--bind-address=127.0.0.1",
    `--secure-port=${host.ports.metricsAdapter}`,
    `--cert-dir=${join(host.dir, "pki", "metrics-adapter")}`,
    `--write-addr=127.0.0.1:${host.ports.metricsWrite}`,
  ]);
  // Registered only once it serves: every failed availability check the apiserver makes before
  // then lengthens its back-off, and the APIService can stay unavailable long after.
  await waitFor(
    `${host.spec.name}: metrics adapter serving`,
    () => probeOk(`https://127.0.0.1:${host.ports.metricsAdapter}/healthz`).catch(() => false),
    {
      timeoutMs: 60_000,
      table,
      record,
      intervalMs: 200,
    },
  );
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
        service: { name: "metrics-adapter", namespace: "kube-system", port: host.ports.metricsAdapter },
      },
    })),
  ]);
  await waitFor(
    `${host.spec.name}: ${API_SERVICES.map((a) => a.group).join(" and ")} available`,
    async () => {
      const out = await kubectl(host.spec.name, [
        "get",
        "apiservice",
        // By label: a List whatever the number (one name alone would answer a single object).
        "-l",
        "app.kubernetes.io/name=metrics-adapter",
        "-o",
        'jsonpath={range .items[*]}{.status.conditions[?(@.type=="Available")].status}{"\\n"}{end}',
      ]);
      return out.split("\n").filter((s) => s === "True").length === API_SERVICES.length;
    },
    { timeoutMs: 60_000, table, record, intervalMs: 300 },
  );
}

/** Where tests write custom (and, on the host, external) metric values for a cluster's adapter. */
export const metricsWriteUrl = (host: { ports: { metricsWrite: number } }) => `http://127.0.0.1:${host.ports.metricsWrite}`;
