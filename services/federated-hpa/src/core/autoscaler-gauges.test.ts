import { describe, expect, it } from "@jest/globals";
import type { FederatedHPA } from "@spillway/api";
import { autoscalerGauges } from "./autoscaler-gauges.ts";

const hpa = (name: string, status: FederatedHPA["status"]): FederatedHPA =>
  ({ apiVersion: "spillway.dev/v1alpha1", kind: "FederatedHPA", metadata: { name, namespace: "shop" }, spec: {}, status }) as FederatedHPA;
const cond = (type: string, status: "True" | "False") => ({ type, status, reason: "r", message: "", lastTransitionTime: "t" });

describe("autoscalerGauges", () => {
  const list = () => [
    hpa("web", { currentReplicas: 4, desiredReplicas: 6, conditions: [cond("AbleToScale", "True"), cond("ScalingActive", "True")] }),
    hpa("broken", { conditions: [cond("AbleToScale", "False"), cond("ScalingActive", "False")] }),
  ];
  const values = (name: string) =>
    [
      ...autoscalerGauges(list)
        .find((g) => g.name === name)!
        .samples(),
    ].map((s) => [s.labels["name"], s.value]);

  it.each([
    [
      "spillway_federatedhpa_status_current_replicas",
      [
        ["web", 4],
        ["broken", 0],
      ],
    ],
    [
      "spillway_federatedhpa_status_desired_replicas",
      [
        ["web", 6],
        ["broken", 0],
      ],
    ],
    [
      "spillway_federatedhpa_able_to_scale",
      [
        ["web", 1],
        ["broken", 0],
      ],
    ],
    [
      "spillway_federatedhpa_scaling_active",
      [
        ["web", 1],
        ["broken", 0],
      ],
    ],
  ])("%s", (name, expected) => {
    expect(values(name)).toEqual(expected);
  });
});
