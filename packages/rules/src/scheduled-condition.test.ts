import { describe, expect, it } from "@jest/globals";
import type { Placement } from "@spillway/api";
import { scheduledCondition } from "./scheduled-condition.ts";

const placement = (unschedulableReplicas: number, message?: string): Pick<Placement, "spec" | "status"> => ({
  spec: {
    workloadRef: { apiVersion: "spillway.dev/v1alpha1", kind: "FederatedDeployment", name: "web" },
    workloadGeneration: 1,
    clusters: [{ name: "idc-1", replicas: 4, reason: "IDC first" }],
    unschedulableReplicas,
  },
  status: message
    ? { conditions: [{ type: "Scheduled", status: "False", reason: "Unschedulable", message, lastTransitionTime: "2026-01-01T00:00:00Z" }] }
    : undefined,
});

describe("scheduledCondition", () => {
  it.each([
    ["no Placement yet", undefined, { status: "Unknown", reason: "WaitingForPlacement" }],
    ["every replica placed", placement(0), { status: "True", reason: "Scheduled", message: "every replica is placed" }],
    [
      "replicas that fit nowhere, with the scheduler's reason",
      placement(2, "2 of 6 replica(s) fit nowhere: needs 8 cpu per replica; largest free node has 3"),
      {
        status: "False",
        reason: "Unschedulable",
        message: "2 of 6 replica(s) fit nowhere: needs 8 cpu per replica; largest free node has 3",
      },
    ],
    [
      "replicas that fit nowhere before the scheduler wrote why",
      placement(2),
      { status: "False", reason: "Unschedulable", message: "2 replica(s) fit nowhere" },
    ],
  ] as const)("%s", (_, p, want) => {
    expect(scheduledCondition(p)).toMatchObject({ type: "Scheduled", ...want });
  });
});
