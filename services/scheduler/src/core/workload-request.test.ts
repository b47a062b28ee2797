import { describe, expect, it } from "@jest/globals";
import type { FederatedDeployment } from "@spillway/api";
import { rolloutOf } from "./workload-request.ts";

type Rollable = Pick<FederatedDeployment, "metadata" | "spec" | "status">;

const fd = (generation: number, status: FederatedDeployment["status"], type: "RollingUpdate" | "Recreate" = "RollingUpdate"): Rollable => ({
  metadata: { name: "web", namespace: "shop", generation },
  spec: {
    replicas: 4,
    selector: { matchLabels: { app: "web" } },
    template: { metadata: { labels: { app: "web" } } },
    strategy: { type },
  },
  status,
});

const member = (name: string, replicas: number, updatedReplicas: number) => ({ name, replicas, updatedReplicas });

describe("rolloutOf", () => {
  it.each<[string, Rollable, boolean]>([
    ["a new workload (no status): no old pods to replace", fd(1, undefined), false],
    ["a spec fleet-root has not observed yet", fd(2, { observedGeneration: 1, replicas: 4, updatedReplicas: 4 }), true],
    ["old pods still running in a member", fd(2, { observedGeneration: 2, clusters: [member("idc-1", 5, 2)] }), true],
    ["every pod of the current template", fd(2, { observedGeneration: 2, clusters: [member("idc-1", 4, 4)] }), false],
    // A member growing by failback counts as updated in the aggregate only once it observed its spec.
    [
      "a member resizing on one template",
      fd(2, { observedGeneration: 2, replicas: 8, updatedReplicas: 4, clusters: [member("idc-1", 8, 8)] }),
      false,
    ],
    ["Recreate: never surges", fd(2, { observedGeneration: 1, replicas: 4, updatedReplicas: 0 }, "Recreate"), false],
  ])("%s → rolling %s", (_what, w, rolling) => {
    expect(rolloutOf(w) !== undefined).toBe(rolling);
  });

  it("carries the members fleet-root reports stalled", () => {
    const w = fd(2, {
      observedGeneration: 2,
      clusters: [member("idc-1", 4, 0)],
      stalledClusters: [{ name: "idc-1", replicas: 1, placedReplicas: 4 }],
    });
    expect(rolloutOf(w)).toEqual({ stalled: [{ cluster: "idc-1", replicas: 1, placedReplicas: 4 }], withOldPods: ["idc-1"] });
  });
});
