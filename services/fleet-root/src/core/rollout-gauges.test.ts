import { describe, expect, it } from "@jest/globals";
import type { FederatedDeployment } from "@spillway/api";
import { rolloutGauges } from "./rollout-gauges.ts";

const fd = (name: string, status: FederatedDeployment["status"]): FederatedDeployment =>
  ({
    apiVersion: "spillway.dev/v1alpha1",
    kind: "FederatedDeployment",
    metadata: { name, namespace: "shop" },
    spec: { replicas: 40, selector: { matchLabels: { app: name } }, template: {} },
    status,
  }) as FederatedDeployment;

describe("rolloutGauges", () => {
  const list = () => [
    fd("web", { updatedReplicas: 12, availableReplicas: 40, conditions: [] }),
    fd("gpus", {
      conditions: [{ type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded", message: "", lastTransitionTime: "t" }],
    }),
  ];
  const values = (name: string) =>
    [
      ...rolloutGauges(list)
        .find((g) => g.name === name)!
        .samples(),
    ].map((s) => [s.labels["name"], s.value]);

  it.each([
    [
      "spillway_federateddeployment_spec_replicas",
      [
        ["web", 40],
        ["gpus", 40],
      ],
    ],
    [
      "spillway_federateddeployment_status_replicas_updated",
      [
        ["web", 12],
        ["gpus", 0],
      ],
    ],
    [
      "spillway_federateddeployment_status_replicas_available",
      [
        ["web", 40],
        ["gpus", 0],
      ],
    ],
    [
      "spillway_federateddeployment_progress_deadline_exceeded",
      [
        ["web", 0],
        ["gpus", 1],
      ],
    ],
  ])("%s", (name, expected) => {
    expect(values(name)).toEqual(expected);
  });
});
