import { describe, expect, it } from "@jest/globals";
import { podRequests, type PodSpecLike } from "./pod-requests.ts";

const c = (cpu: string, memory = "0", restartPolicy?: string) => ({
  resources: { requests: { cpu, memory } },
  ...(restartPolicy ? { restartPolicy } : {}),
});

describe("podRequests (kube-scheduler accounting)", () => {
  it.each<[string, PodSpecLike, Record<string, number>]>([
    ["sums app containers", { containers: [c("1", "1Gi"), c("500m", "1Gi")] }, { cpu: 1500, memory: 2 * 2 ** 30 }],
    ["an init container larger than the app wins", { containers: [c("1")], initContainers: [c("3"), c("2")] }, { cpu: 3000 }],
    ["a smaller init container does not count", { containers: [c("2")], initContainers: [c("1")] }, { cpu: 2000 }],
    [
      "sidecars run alongside the app and under later init containers",
      { containers: [c("1")], initContainers: [c("500m", "0", "Always"), c("2")] },
      // app 1 + sidecar 0.5 = 1.5; init phase peak = 2 + 0.5 (the sidecar already running) = 2.5
      { cpu: 2500 },
    ],
    [
      "overhead is added on top",
      { containers: [c("1")], overhead: { cpu: "250m", memory: "120Mi" } },
      { cpu: 1250, memory: 120 * 2 ** 20 },
    ],
    [
      "pod-level requests replace container sums for cpu and memory only",
      {
        containers: [{ resources: { requests: { cpu: "1", "nvidia.com/gpu": "2" } } }],
        resources: { requests: { cpu: "3", "nvidia.com/gpu": "7" } },
      },
      { cpu: 3000, "nvidia.com/gpu": 2 },
    ],
    ["a pod with no requests requests nothing", { containers: [{}] }, {}],
  ])("%s", (_name, spec, expected) => {
    const got = podRequests(spec);
    for (const k of Object.keys(got)) if (got[k] === 0) delete got[k];
    expect(got).toEqual(expected);
  });
});
