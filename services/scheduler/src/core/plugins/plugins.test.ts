import { describe, expect, it } from "@jest/globals";
import { cluster, nodes16, workload } from "../testing/fixtures.ts";
import { clusterAffinity } from "./cluster-affinity.ts";
import { clusterReady } from "./cluster-ready.ts";
import { clusterTaints } from "./cluster-taints.ts";
import { dependencyConflicts } from "./dependency-conflicts.ts";
import { tierOrder } from "./tier-order.ts";

const idc = cluster("idc-1", "idc", 10, nodes16(1), { labels: { "spillway.dev/tier": "idc", region: "eu" } });
const cloud = cluster("cloud-1", "cloud", 1, nodes16(1), { labels: { "spillway.dev/tier": "cloud", region: "us" } });

describe("scheduler plugins", () => {
  it.each([
    ["no constraints", {}, idc, "Success"],
    ["clusterNames excludes", { clusterNames: ["cloud-1"] }, idc, "Unschedulable"],
    ["clusterSelector matches", { clusterSelector: { matchLabels: { region: "eu" } } }, idc, "Success"],
    ["clusterSelector does not match", { clusterSelector: { matchLabels: { region: "eu" } } }, cloud, "Unschedulable"],
    ["maxReplicas 0 for the member", { bounds: { "idc-1": { max: 0 } } }, idc, "Unschedulable"],
  ])("ClusterAffinity: %s", (_n, placement, c, code) => {
    expect(clusterAffinity.filter!(workload("w", 1, 1000, { placement }), c).code).toBe(code);
  });

  it("ClusterTaints repels a workload that does not tolerate the member's cordon", () => {
    const cordoned = { ...idc, taints: [{ key: "maintenance", value: "", effect: "NoSchedule" }] };
    expect(clusterTaints.filter!(workload("w", 1, 1000), cordoned)).toMatchObject({
      code: "Unschedulable",
      reason: expect.stringMatching(/taint/),
    });
    expect(
      clusterTaints.filter!(workload("w", 1, 1000, { tolerations: [{ key: "maintenance", operator: "Exists" }] }), cordoned).code,
    ).toBe("Success");
  });

  it("DependencyConflicts keeps a workload out of a member holding its own object of a dependency's name, naming it", () => {
    const w = workload("w", 1, 1000, { dependencyConflicts: { "idc-1": ["ConfigMap/web", "Secret/pw"] } });
    expect(dependencyConflicts.filter!(w, idc)).toEqual({
      code: "Unschedulable",
      reason:
        "cluster idc-1 holds its own ConfigMap/web, Secret/pw where the host holds the source the pods need; rename or delete it there",
    });
    expect(dependencyConflicts.filter!(w, cloud).code).toBe("Success");
  });

  it("ClusterReady sends new replicas only to Ready members", () => {
    expect(clusterReady.filter!(workload("w", 1, 1000), { ...idc, ready: false }).reason).toBe("cluster idc-1 is not Ready");
    expect(clusterReady.filter!(workload("w", 1, 1000), idc).code).toBe("Success");
  });

  it("TierOrder ranks IDC before cloud whatever the priority, unless the workload's tierOrder says otherwise", () => {
    const w = workload("w", 1, 1000);
    expect(tierOrder.score!(w, idc)[0]).toBeLessThan(tierOrder.score!(w, cloud)[0] as number);
    const cloudFirst = workload("w", 1, 1000, { placement: { tierOrder: ["cloud", "idc"] } });
    expect(tierOrder.score!(cloudFirst, cloud)[0]).toBeLessThan(tierOrder.score!(cloudFirst, idc)[0] as number);
  });
});
