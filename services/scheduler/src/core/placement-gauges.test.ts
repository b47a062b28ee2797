import { describe, expect, it } from "@jest/globals";
import type { Placement } from "@spillway/api";
import { placementGauges } from "./placement-gauges.ts";

const placement = (name: string, clusters: Array<[string, number]>, unschedulable: number): Placement =>
  ({
    apiVersion: "spillway.dev/v1alpha1",
    kind: "Placement",
    metadata: { name: `federateddeployment-${name}`, namespace: "shop" },
    spec: {
      workloadRef: { apiVersion: "spillway.dev/v1alpha1", kind: "FederatedDeployment", name },
      clusters: clusters.map(([c, replicas]) => ({ name: c, replicas, reason: "" })),
      unschedulableReplicas: unschedulable,
    },
  }) as Placement;

describe("placementGauges", () => {
  const list = () => [
    placement(
      "web",
      [
        ["idc-1", 16],
        ["cloud-1", 8],
      ],
      0,
    ),
    placement("llm", [], 4),
  ];
  const samples = (name: string) => [
    ...placementGauges(list)
      .find((g) => g.name === name)!
      .samples(),
  ];

  it("gives replicas per member per workload, and what fits nowhere per workload", () => {
    const w = (workload: string) => ({ namespace: "shop", kind: "FederatedDeployment", workload });
    expect(samples("spillway_placement_replicas")).toEqual([
      { value: 16, labels: { ...w("web"), cluster: "idc-1" } },
      { value: 8, labels: { ...w("web"), cluster: "cloud-1" } },
    ]);
    expect(samples("spillway_placement_unschedulable_replicas")).toEqual([
      { value: 0, labels: w("web") },
      { value: 4, labels: w("llm") },
    ]);
  });
});
