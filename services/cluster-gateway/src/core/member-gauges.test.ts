import { describe, expect, it } from "@jest/globals";
import type { MemberCluster } from "@spillway/api";
import { memberGauges } from "./member-gauges.ts";

const member = (name: string, ready: "True" | "False", status: Partial<NonNullable<MemberCluster["status"]>> = {}): MemberCluster => ({
  apiVersion: "spillway.dev/v1alpha1",
  kind: "MemberCluster",
  metadata: { name },
  spec: { tier: name.startsWith("idc") ? "idc" : "cloud", priority: 1, kubeconfigSecretRef: { namespace: "s", name, key: "k" } },
  status: { conditions: [{ type: "Ready", status: ready, reason: "x", message: "", lastTransitionTime: "t" }], ...status },
});

const samples = (members: MemberCluster[], name: string) => [
  ...memberGauges(() => members)
    .find((g) => g.name === name)!
    .samples(),
];

describe("memberGauges", () => {
  const fleet = [
    member("idc-1", "True", {
      allocatable: { cpu: "64", memory: "256Gi", "nvidia.com/gpu": "8" },
      requested: { cpu: "63500m", memory: "1Gi" },
    }),
    member("cloud-1", "False"),
  ];

  it("says 1 for a Ready member and 0 for one that is not, with its tier", () => {
    expect(samples(fleet, "spillway_member_ready")).toEqual([
      { value: 1, labels: { cluster: "idc-1", tier: "idc" } },
      { value: 0, labels: { cluster: "cloud-1", tier: "cloud" } },
    ]);
  });

  it("gives capacity per resource in Prometheus' base units (cores, bytes), kube-state-metrics' labels", () => {
    expect(samples(fleet, "spillway_member_allocatable")).toEqual([
      { value: 64, labels: { cluster: "idc-1", resource: "cpu", unit: "core" } },
      { value: 256 * 2 ** 30, labels: { cluster: "idc-1", resource: "memory", unit: "byte" } },
      { value: 8, labels: { cluster: "idc-1", resource: "nvidia.com/gpu", unit: "integer" } },
    ]);
    expect(samples(fleet, "spillway_member_requested")).toEqual([
      { value: 63.5, labels: { cluster: "idc-1", resource: "cpu", unit: "core" } },
      { value: 2 ** 30, labels: { cluster: "idc-1", resource: "memory", unit: "byte" } },
    ]);
  });
});
