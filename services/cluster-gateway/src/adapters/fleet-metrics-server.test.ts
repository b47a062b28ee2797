import { describe, expect, it } from "@jest/globals";
import type { KubeConfig } from "@kubernetes/client-node";
import { fleetMetricsService, type CustomMetricRead } from "./fleet-metrics-server.ts";
import type { Registry } from "./registry.ts";

/** Registry entries as the service reads them: a member, its connection's health and client. */
const registry = (members: Array<{ name: string; ready: boolean; synced?: boolean }>) =>
  ({
    list: () =>
      members.map((m) => ({
        member: { metadata: { name: m.name } },
        connection: {
          synced: m.synced ?? true,
          health: { ready: m.ready, reason: m.ready ? undefined : "Unreachable", message: m.ready ? undefined : "connection refused" },
          kubeConfig: m.name as unknown as KubeConfig,
        },
      })),
  }) as unknown as Registry;

describe("FleetMetrics.getPodsCustomMetric", () => {
  it("asks every Ready member's own custom metrics API for the target's pods there, and says which members could not answer", async () => {
    const asked: string[] = [];
    const read: CustomMetricRead = async (kc, path) => {
      const member = kc as unknown as string;
      asked.push(`${member} ${decodeURIComponent(path)}`);
      if (member === "cloud-1")
        throw new Error("unable to get pods metric rps in cloud-1: 404 the server could not find the requested resource");
      return [{ name: `web-${member}`, value: member === "idc-1" ? "1500m" : "7", timestampMs: 1000, windowMs: 60_000 }];
    };
    const service = fleetMetricsService(
      registry([
        { name: "idc-1", ready: true },
        { name: "idc-2", ready: true },
        { name: "cloud-1", ready: true },
        { name: "cloud-2", ready: false },
        { name: "cloud-3", ready: true, synced: false },
      ]),
      read,
    );
    const res = await service.getPodsCustomMetric({
      namespace: "shop",
      metric: "rps",
      selector: { matchLabels: { app: "web" }, matchExpressions: [] },
    } as never);
    expect(asked.sort()).toEqual([
      "cloud-1 /apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/*/rps?labelSelector=app=web",
      "idc-1 /apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/*/rps?labelSelector=app=web",
      "idc-2 /apis/custom.metrics.k8s.io/v1beta2/namespaces/shop/pods/*/rps?labelSelector=app=web",
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
});
