import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { workload } from "./testing/fixtures.ts";
import { fitCount, nodeEligible, repels, tolerates } from "./node-fit.ts";
import type { NodeCapacity, Taint } from "./types.ts";

const node = (extra: Partial<NodeCapacity> = {}): NodeCapacity => ({
  name: "n",
  labels: { zone: "a", gpu: "true" },
  taints: [],
  free: { cpu: 16_000 },
  freePods: 110,
  ...extra,
});
const gpuTaint: Taint = { key: "nvidia.com/gpu", value: "present", effect: "NoSchedule" };

describe("tolerates / repels", () => {
  it.each([
    ["Equal with key and value", { key: "nvidia.com/gpu", operator: "Equal" as const, value: "present" }, true],
    ["Equal with another value", { key: "nvidia.com/gpu", operator: "Equal" as const, value: "x" }, false],
    ["Exists on the key", { key: "nvidia.com/gpu", operator: "Exists" as const }, true],
    ["Exists with no key tolerates everything", { operator: "Exists" as const }, true],
    ["another effect", { key: "nvidia.com/gpu", operator: "Exists" as const, effect: "NoExecute" }, false],
  ])("%s", (_n, toleration, want) => {
    expect(tolerates([toleration], gpuTaint)).toBe(want);
  });

  it("only NoSchedule and NoExecute repel; PreferNoSchedule does not", () => {
    expect(repels([gpuTaint], [])).toBe(true);
    expect(repels([{ ...gpuTaint, effect: "NoExecute" }], [])).toBe(true);
    expect(repels([{ ...gpuTaint, effect: "PreferNoSchedule" }], [])).toBe(false);
  });
});

describe("nodeEligible", () => {
  it.each([
    ["no constraints", {}, node(), true],
    ["nodeSelector matches", { nodeSelector: { zone: "a" } }, node(), true],
    ["nodeSelector differs", { nodeSelector: { zone: "b" } }, node(), false],
    [
      "one affinity term of two holds",
      { nodeAffinity: [[{ key: "zone", operator: "In" as const, values: ["b"] }], [{ key: "gpu", operator: "Exists" as const }]] },
      node(),
      true,
    ],
    ["no affinity term holds", { nodeAffinity: [[{ key: "zone", operator: "NotIn" as const, values: ["a"] }]] }, node(), false],
    ["an untolerated taint", {}, node({ taints: [gpuTaint] }), false],
    ["a tolerated taint", { tolerations: [{ key: "nvidia.com/gpu", operator: "Exists" as const }] }, node({ taints: [gpuTaint] }), true],
  ])("%s", (_n, extra, n, want) => {
    expect(nodeEligible(workload("w", 1, 1000, extra), n)).toBe(want);
  });
});

describe("fitCount", () => {
  it.each([
    ["cpu bound", { cpu: 16_000 }, 110, { cpu: 4000 }, 4],
    ["pod slots bound", { cpu: 16_000 }, 2, { cpu: 1000 }, 2],
    ["a missing resource fits none", { cpu: 16_000 }, 110, { cpu: 1000, "nvidia.com/gpu": 1 }, 0],
    ["zero requests fit as many as pod slots", { cpu: 0 }, 7, {}, 7],
  ])("%s", (_n, free, pods, per, want) => {
    expect(fitCount(free, pods, per)).toBe(want);
  });

  it("never overcommits any resource (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 64_000 }),
        fc.integer({ min: 1, max: 8000 }),
        fc.integer({ min: 0, max: 200 }),
        (free, need, pods) => {
          const n = fitCount({ cpu: free }, pods, { cpu: need });
          expect(n * need).toBeLessThanOrEqual(free);
          expect(n).toBeLessThanOrEqual(pods);
          expect((n + 1) * need > free || n + 1 > pods).toBe(true);
        },
      ),
    );
  });
});
