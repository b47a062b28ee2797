/**
 * What an operator's monitoring reads: the fleet gauges the services export, the chart's alert
 * rules (tested by Prometheus' own promtool), and the chart's Grafana dashboard, whose every query
 * must name series the services really export — judged against a scrape of the running services
 * with a workload, its Placement and its autoscaler in place, so a renamed metric fails here.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { federatedDeploymentKind, federatedHPAKind, type FederatedDeployment, type FederatedHPA } from "@spillway/api";
import { ResourceClient } from "@spillway/kit";
import { bin, runCommand } from "@spillway/testbed";
import { kubeConfigFor, repoRoot } from "./env.ts";
import { federatedDeployment } from "./federated-workloads.ts";
import { createNamespace, deleteNamespace, eventually, uniqueName } from "./helpers.ts";
import { freePort, metricValue, startService, stop, waitReady, type RunningService } from "./service-process.ts";

const chartFile = (name: string) => join(repoRoot, "charts", "spillway", "files", name);

/**
 * The metric names a PromQL expression reads: the services' own `spillway_…` (with a histogram's
 * `_bucket`), and the process figures they export under prom-client's `nodejs_…` names.
 */
const metricsIn = (expr: string) => [...expr.matchAll(/\b((?:spillway|nodejs)_[a-z0-9_]+)/g)].map((m) => m[1]!);

/** Every name with at least one sample on a service's /metrics. */
async function exported(s: RunningService): Promise<Set<string>> {
  const text = await (await fetch(`${s.healthUrl}/metrics`)).text();
  return new Set([...text.matchAll(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? /gm)].map((m) => m[1]!));
}

describe("observability: fleet gauges, alert rules, dashboard", () => {
  const host = kubeConfigFor("host");
  const ns = uniqueName("e2e-obs");
  const leaseNs = uniqueName("e2e-obs-lease");
  const fds = new ResourceClient<FederatedDeployment>(host, federatedDeploymentKind);
  const hpas = new ResourceClient<FederatedHPA>(host, federatedHPAKind);
  const procs: Record<string, RunningService> = {};

  beforeAll(async () => {
    await createNamespace("host", ns);
    await createNamespace("host", leaseNs);
    const lease = `--lease-namespace=${leaseNs}`;
    const gwPort = await freePort();
    const schedPort = await freePort();
    procs["cluster-gateway"] = await startService("cluster-gateway", "obs-gw", [lease, `--grpc-addr=127.0.0.1:${gwPort}`]);
    procs["scheduler"] = await startService("scheduler", "obs-sched", [
      lease,
      `--gateway-addr=127.0.0.1:${gwPort}`,
      `--grpc-addr=127.0.0.1:${schedPort}`,
    ]);
    procs["fleet-root"] = await startService("fleet-root", "obs-fr", [lease]);
    procs["federated-hpa"] = await startService("federated-hpa", "obs-hpa", [
      lease,
      `--gateway-addr=127.0.0.1:${gwPort}`,
      `--scheduler-addr=127.0.0.1:${schedPort}`,
      "--sync-period=2",
    ]);
    procs["stateful-orchestrator"] = await startService("stateful-orchestrator", "obs-so", [lease]);
    await Promise.all(Object.values(procs).map((p) => waitReady(p, 60_000)));
    await fds.create(federatedDeployment({ namespace: ns, name: "web", replicas: 2, requests: { cpu: "100m" } }));
    await hpas.create({
      apiVersion: "spillway.dev/v1alpha1",
      kind: "FederatedHPA",
      metadata: { name: "web", namespace: ns },
      spec: {
        scaleTargetRef: { apiVersion: "spillway.dev/v1alpha1", kind: "FederatedDeployment", name: "web" },
        minReplicas: 2,
        maxReplicas: 4,
        metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } } }],
      },
    });
    await eventually(
      "web available and its autoscaler judged",
      async () => {
        const fd = await fds.get({ namespace: ns, name: "web" });
        const h = await hpas.get({ namespace: ns, name: "web" });
        return fd.status?.availableReplicas === 2 && h.status?.conditions?.some((c) => c.type === "AbleToScale") ? true : undefined;
      },
      120_000,
    );
  });

  afterAll(async () => {
    await fds.delete({ namespace: ns, name: "web" }).catch(() => undefined);
    await eventually(
      "web's finalizer released",
      () =>
        fds.get({ namespace: ns, name: "web" }).then(
          () => undefined,
          () => true,
        ),
      60_000,
    );
    await Promise.all(Object.values(procs).map((p) => stop(p)));
    await deleteNamespace("host", ns);
    await deleteNamespace("host", leaseNs);
  });

  it("exports how the fleet is: members Ready with their capacity, placement, rollout and autoscaler figures", async () => {
    const gw = procs["cluster-gateway"]!;
    for (const cluster of ["idc-1", "idc-2", "cloud-1"])
      expect(await metricValue(gw, "spillway_member_ready", { cluster: `${cluster}` })).toBe(1);
    // The testbed's idc-1: 4 nodes of 16 CPU.
    expect(await metricValue(gw, "spillway_member_allocatable", { cluster: "idc-1", resource: "cpu", unit: "core" })).toBe(64);
    const labels = { namespace: ns, workload: "web" };
    expect(await metricValue(procs["scheduler"]!, "spillway_placement_replicas", labels)).toBe(2);
    expect(await metricValue(procs["scheduler"]!, "spillway_placement_unschedulable_replicas", labels)).toBe(0);
    const fr = procs["fleet-root"]!;
    expect(await metricValue(fr, "spillway_federateddeployment_spec_replicas", { namespace: ns, name: "web" })).toBe(2);
    expect(await metricValue(fr, "spillway_federateddeployment_status_replicas_available", { namespace: ns, name: "web" })).toBe(2);
    expect(await metricValue(fr, "spillway_federateddeployment_progress_deadline_exceeded", { namespace: ns, name: "web" })).toBe(0);
    const hpa = procs["federated-hpa"]!;
    await eventually("the autoscaler's figures", async () =>
      (await metricValue(hpa, "spillway_federatedhpa_status_current_replicas", { namespace: ns, name: "web" })) === 2 ? true : undefined,
    );
  });

  it("every query of the chart's dashboard and alerts names a series the services export", async () => {
    const dashboard = JSON.parse(readFileSync(chartFile("dashboard.json"), "utf8")) as {
      panels: Array<{ title: string; targets?: Array<{ expr: string }> }>;
    };
    const alerts = parse(readFileSync(chartFile("alerts.yaml"), "utf8")) as {
      groups: Array<{ rules: Array<{ alert: string; expr: string }> }>;
    };
    const queries = [
      ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `dashboard panel "${p.title}"`, expr: t.expr }))),
      ...alerts.groups.flatMap((g) => g.rules.map((r) => ({ where: `alert ${r.alert}`, expr: r.expr }))),
    ];
    expect(queries.length).toBeGreaterThan(15);
    // Reconciles have run in every service by now, so their counters and histograms have samples.
    const names = new Set<string>();
    for (const p of Object.values(procs)) for (const n of await exported(p)) names.add(n);
    const missing = queries.flatMap((q) =>
      metricsIn(q.expr)
        .filter((m) => !names.has(m))
        .map((m) => `${q.where}: ${m}`),
    );
    expect(missing).toEqual([]);
    expect(queries.every((q) => metricsIn(q.expr).length > 0)).toBe(true);
  });

  it("promtool checks the shipped rules and passes their unit tests", async () => {
    const check = await runCommand(bin("promtool"), ["check", "rules", chartFile("alerts.yaml")]);
    expect({ code: check.code, out: check.stdout + check.stderr }).toEqual({
      code: 0,
      out: expect.stringMatching(/SUCCESS: 6 rules found/),
    });
    const test = await runCommand(bin("promtool"), ["test", "rules", join(repoRoot, "e2e", "promtool", "alerts.test.yaml")]);
    expect({ code: test.code, out: test.stdout + test.stderr }).toEqual({ code: 0, out: expect.stringMatching(/SUCCESS/) });
  });
});
