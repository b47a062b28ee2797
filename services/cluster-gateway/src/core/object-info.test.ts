import { describe, expect, it } from "@jest/globals";
import { nodeInfo, podInfo } from "./object-info.ts";

describe("object info", () => {
  it("reads a kwok node: allocatable in integer units, Ready, schedulable", () => {
    const n = nodeInfo({
      metadata: { name: "idc-1-node-3", labels: { "nvidia.com/gpu.present": "true" } },
      status: {
        allocatable: { cpu: "16", memory: "64Gi", "nvidia.com/gpu": "8", pods: "110" },
        conditions: [{ type: "Ready", status: "True" }],
      },
    });
    expect(n).toEqual({
      name: "idc-1-node-3",
      labels: { "nvidia.com/gpu.present": "true" },
      taints: [],
      allocatable: { cpu: 16000, memory: 64 * 2 ** 30, "nvidia.com/gpu": 8, pods: 110 },
      ready: true,
      unschedulable: false,
    });
  });

  it.each([
    ["cordoned", { spec: { unschedulable: true } }],
    [
      "tainted not-ready by the node lifecycle controller",
      { spec: { taints: [{ key: "node.kubernetes.io/not-ready", effect: "NoSchedule" }] } },
    ],
  ])("treats a %s node as unschedulable", (_what, extra) => {
    expect(nodeInfo({ metadata: { name: "n" }, status: { conditions: [{ type: "Ready", status: "True" }] }, ...extra }).unschedulable).toBe(
      true,
    );
  });

  it("reads an unschedulable pending pod with its controller owner and since when", () => {
    const p = podInfo({
      metadata: {
        uid: "u1",
        namespace: "shop",
        name: "web-abc",
        ownerReferences: [{ kind: "ReplicaSet", name: "web-7d9", controller: true }],
      },
      spec: { containers: [{ resources: { requests: { cpu: "4" } } }] },
      status: {
        phase: "Pending",
        conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", lastTransitionTime: "2026-11-23T10:00:00Z" }],
      },
    });
    expect(p).toEqual({
      uid: "u1",
      namespace: "shop",
      nodeName: undefined,
      requests: { cpu: 4000 },
      terminated: false,
      unschedulableSinceMs: Date.parse("2026-11-23T10:00:00Z"),
      ownerKind: "ReplicaSet",
      ownerName: "web-7d9",
    });
  });

  it("marks finished pods terminated so they hold nothing", () => {
    expect(podInfo({ metadata: { uid: "u" }, spec: { nodeName: "n" }, status: { phase: "Succeeded" } }).terminated).toBe(true);
  });
});
