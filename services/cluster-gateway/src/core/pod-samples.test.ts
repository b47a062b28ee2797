import { describe, expect, it } from "@jest/globals";
import { changedNamespaces, durationMs, podSamples, usageIndex, type PodObject } from "./pod-samples.ts";

const pod = (name: string, labels: Record<string, string>, extra: Partial<PodObject["status"]> = {}): PodObject => ({
  metadata: { namespace: "ml", name, labels },
  spec: { containers: [{ name: "model", resources: { requests: { cpu: "500m", memory: "1Gi" } } }, { name: "sidecar" }] },
  status: {
    phase: "Running",
    startTime: "2026-11-27T06:00:00Z",
    conditions: [{ type: "Ready", status: "True", lastTransitionTime: "2026-11-27T06:00:05Z" }],
    ...extra,
  },
});

const metrics = [
  {
    metadata: { namespace: "ml", name: "infer-0" },
    timestamp: "2026-11-27T06:01:00Z",
    window: "10.5s",
    containers: [
      { name: "model", usage: { cpu: "750m", memory: "300Mi" } },
      { name: "sidecar", usage: { cpu: "1m", memory: "0" } },
    ],
  },
];

describe("pod samples", () => {
  it("joins the selected pods with their usage in milli-units and leaves others out", () => {
    const samples = podSamples(
      "idc-1",
      [
        pod("infer-0", { app: "infer" }),
        pod("infer-1", { app: "infer" }, { phase: "Pending", conditions: [] }),
        pod("web-0", { app: "web" }),
      ],
      usageIndex(metrics),
      { matchLabels: { app: "infer" } },
    );
    expect(samples.map((s) => [s.name, s.phase, s.ready, s.hasUsage])).toEqual([
      ["infer-0", "Running", "True", true],
      ["infer-1", "Pending", undefined, false],
    ]);
    const [first] = samples;
    expect(first!.containers).toEqual([
      { name: "model", requestsMilli: { cpu: 500, memory: 1024 ** 3 * 1000 }, usageMilli: { cpu: 750, memory: 300 * 1024 ** 2 * 1000 } },
      { name: "sidecar", requestsMilli: {}, usageMilli: { cpu: 1, memory: 0 } },
    ]);
    expect(first!.usageWindowMs).toBe(10_500);
    expect(first!.readyTransitionMs).toBe(Date.parse("2026-11-27T06:00:05Z"));
  });

  it("gives every pod of a member whose list failed no usage, so they count as missing metrics", () => {
    const samples = podSamples("cloud-1", [pod("infer-0", { app: "infer" })], undefined, { matchLabels: { app: "infer" } });
    expect(samples[0]).toMatchObject({ hasUsage: false, containers: [{ usageMilli: {} }, { usageMilli: {} }] });
  });

  it.each([
    ["10s", 10_000],
    ["1m0s", 60_000],
    ["10.5s", 10_500],
    ["250ms", 250],
    [undefined, 0],
  ])("reads the Go duration %s as %d ms", (d, want) => expect(durationMs(d)).toBe(want));

  it("names the namespaces whose usage changed between two lists, added and removed pods included", () => {
    const before = usageIndex(metrics);
    const same = usageIndex(metrics);
    expect(changedNamespaces(before, same)).toEqual([]);
    const changed = usageIndex([
      { ...metrics[0]!, containers: [{ name: "model", usage: { cpu: "900m", memory: "300Mi" } }, metrics[0]!.containers[1]!] },
      { metadata: { namespace: "web", name: "w-1" }, containers: [] },
    ]);
    expect(changedNamespaces(before, changed)).toEqual(["ml", "web"]);
    expect(changedNamespaces(before, new Map())).toEqual(["ml"]);
  });
});
