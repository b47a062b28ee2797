import { describe, expect, it } from "@jest/globals";
import type { KubeConfig } from "@kubernetes/client-node";
import { fleetMetricsService, type CustomMetricRead } from "./fleet-metrics-server.ts";
import type { Registry } from "./registry.ts";

type Pod = { metadata: { name: string; namespace: string; labels: Record<string, string> } };

/** Registry entries as the service reads them: a member, its connection's health, client and pod watch. */
const registry = (members: Array<{ name: string; ready: boolean; synced?: boolean; pods?: Pod[] }>) =>
  ({
    list: () =>
      members.map((m) => ({
        member: { metadata: { name: m.name } },
        connection: {
          synced: m.synced ?? true,
          health: { ready: m.ready, reason: m.ready ? undefined : "Unreachable", message: m.ready ? undefined : "connection refused" },
          kubeConfig: m.name as unknown as KubeConfig,
          podsIn: (ns: string) => (m.pods ?? []).filter((p) => p.metadata.namespace === ns),
        },
      })),
  }) as unknown as Registry;

const pod = (name: string, app: string): Pod => ({ metadata: { name, namespace: "shop", labels: { app } } });
const ask = (app: string) => ({ namespace: "shop", metric: "rps", selector: { matchLabels: { app }, matchExpressions: [] } }) as never;

describe("FleetMetrics.getPodsCustomMetric", () => {
  it("asks every Ready member's own custom metrics API for the namespace's pods there, keeps the selector's, and says which members could not answer", async () => {
    const asked: string[] = [];
    const read: CustomMetricRead = async (kc, path) => {
      const member = kc as unknown as string;
      asked.push(`${member} ${decodeURIComponent(path)}`);
      if (member === "cloud-1")
        throw new Error("unable to get pods metric rps in cloud-1: 404 the server could not find the requested resource");
      // The adapter answers for every pod of the namespace that has the metric: the selector's and others.
      return [
        { name: `web-${member}`, value: member === "idc-1" ? "1500m" : "7", timestampMs: 1000, windowMs: 60_000 },
        { name: `db-${member}`, value: "99", timestampMs: 1000, windowMs: 60_000 },
      ];
    };
    const service = fleetMetricsService(
      registry([
        { name: "idc-1", ready: true, pods: [pod("web-idc-1", "web"), pod("db-idc-1", "db")] },
        { name: "idc-2", ready: true, pods: [pod("web-idc-2", "web"), pod("db-idc-2", "db")] },
        { name: "cloud-1", ready: true },
        { name: "cloud-2", ready: false },
        { name: "cloud-3", ready: true, synced: false },
      ]),
      { readCustom: read },
    );
    const res = await service.getPodsCustomMetric(ask("web"));
    expect(asked.sort()).toEqual([
      "cloud-1 /apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/*/rps",
      "idc-1 /apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/*/rps",
      "idc-2 /apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/*/rps",
    ]);
    expect(res.values.map((v) => [v.cluster, v.pod, Number(v.valueMilli)])).toEqual([
      ["idc-1", "web-idc-1", 1500],
      ["idc-2", "web-idc-2", 7000],
    ]);
    expect(res.members.map((m) => [m.cluster, m.ok, m.error])).toEqual([
      ["idc-1", true, ""],
      ["idc-2", true, ""],
      ["cloud-1", false, "unable to get pods metric rps in cloud-1: 404 the server could not find the requested resource"],
      ["cloud-2", false, "member not Ready: connection refused"],
    ]);
  });

  it("shares one read per member, namespace and metric among autoscalers within the interval; a failed one is read again", async () => {
    const asked: string[] = [];
    let failNext = false;
    const read: CustomMetricRead = async (kc, path) => {
      asked.push(`${kc as unknown as string} ${decodeURIComponent(path)}`);
      if (failNext) {
        failNext = false;
        throw new Error("503 the adapter is restarting");
      }
      return [
        { name: "web-1", value: "10", timestampMs: 1000, windowMs: 60_000 },
        { name: "api-1", value: "20", timestampMs: 1000, windowMs: 60_000 },
      ];
    };
    const service = fleetMetricsService(registry([{ name: "idc-1", ready: true, pods: [pod("web-1", "web"), pod("api-1", "api")] }]), {
      readCustom: read,
      shareMs: 60_000,
    });
    const [web, api] = await Promise.all([service.getPodsCustomMetric(ask("web")), service.getPodsCustomMetric(ask("api"))]);
    const again = await service.getPodsCustomMetric(ask("web"));
    expect(asked).toEqual(["idc-1 /apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/*/rps"]);
    expect(web.values.map((v) => [v.pod, Number(v.valueMilli)])).toEqual([["web-1", 10_000]]);
    expect(api.values.map((v) => [v.pod, Number(v.valueMilli)])).toEqual([["api-1", 20_000]]);
    expect(again.values.map((v) => v.pod)).toEqual(["web-1"]);

    // A failed read is not kept: the next asker reads again.
    const other = fleetMetricsService(registry([{ name: "idc-1", ready: true, pods: [pod("web-1", "web")] }]), {
      readCustom: read,
      shareMs: 60_000,
    });
    failNext = true;
    expect((await other.getPodsCustomMetric(ask("web"))).members[0]!.ok).toBe(false);
    expect((await other.getPodsCustomMetric(ask("web"))).values.map((v) => v.pod)).toEqual(["web-1"]);
    expect(asked).toHaveLength(3);
  });
});
