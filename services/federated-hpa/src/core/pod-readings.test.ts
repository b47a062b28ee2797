import { describe, expect, it } from "@jest/globals";
import type { MetricReading } from "./autoscale.ts";
import { podsMetricReading, resourceReading as read, type FleetPod } from "./pod-readings.ts";

/** A resource reading is always of pods. */
const resourceReading = (...args: Parameters<typeof read>) => read(...args) as Extract<MetricReading, { pods: unknown }>;

const pod = (name: string, extra: Partial<FleetPod> = {}): FleetPod => ({
  cluster: "idc-1",
  name,
  phase: "Running",
  deleting: false,
  ready: "True",
  readyTransitionMs: 1,
  startMs: 1,
  containers: [
    { name: "app", requestsMilli: { cpu: 500 }, usageMilli: { cpu: 400 } },
    { name: "sidecar", requestsMilli: { cpu: 100 }, usageMilli: { cpu: 90 } },
  ],
  hasUsage: true,
  usageTimestampMs: 1000,
  usageWindowMs: 15_000,
  ...extra,
});

describe("resourceReading", () => {
  it("Resource sums every container; ContainerResource reads the one container named, as Kubernetes' HPA does", () => {
    const all = resourceReading([pod("a")], "cpu");
    expect(all.pods[0]).toMatchObject({ name: "idc-1/a", request: 600 });
    expect(all.samples.get("idc-1/a")).toEqual({ value: 490, timestampMs: 1000, windowMs: 15_000 });
    const app = resourceReading([pod("a")], "cpu", "app");
    expect(app.pods[0]).toMatchObject({ name: "idc-1/a", request: 500 });
    expect(app.samples.get("idc-1/a")?.value).toBe(400);
    const sidecar = resourceReading([pod("a")], "cpu", "sidecar");
    expect(sidecar.pods[0]?.request).toBe(100);
    expect(sidecar.samples.get("idc-1/a")?.value).toBe(90);
  });

  it.each<[string, Partial<FleetPod>, string, { request: number | undefined; sample: number | undefined }]>([
    ["a pod without the container has neither request nor sample", {}, "missing", { request: undefined, sample: undefined }],
    [
      "the container without a request of the resource leaves the pod without one",
      { containers: [{ name: "app", requestsMilli: {}, usageMilli: { cpu: 400 } }] },
      "app",
      { request: undefined, sample: 400 },
    ],
    ["a pod without usage is missing (no sample)", { hasUsage: false }, "app", { request: 500, sample: undefined }],
    [
      "a container whose usage was not reported leaves no sample",
      { containers: [{ name: "app", requestsMilli: { cpu: 500 }, usageMilli: {} }] },
      "app",
      { request: 500, sample: undefined },
    ],
  ])("ContainerResource: %s", (_n, extra, container, expected) => {
    const r = resourceReading([pod("a", extra)], "cpu", container);
    expect(r.pods[0]?.request).toBe(expected.request);
    expect(r.samples.get("idc-1/a")?.value).toBe(expected.sample);
  });

  it("drops pods that finished, and names each pod by its cluster (names repeat across members)", () => {
    const r = resourceReading([pod("a"), pod("a", { cluster: "cloud-1" }), pod("done", { phase: "Succeeded" })], "cpu", "app");
    expect(r.pods.map((p) => p.name)).toEqual(["idc-1/a", "cloud-1/a"]);
  });
});

describe("podsMetricReading", () => {
  it("matches each value to the pod of that name in that member: a namesake in another member is another pod", () => {
    const values = new Map([
      ["idc-1/web-0", { value: 30_000, timestampMs: 5, windowMs: 60_000 }],
      ["cloud-1/web-0", { value: 90_000, timestampMs: 6, windowMs: 60_000 }],
    ]);
    const r = podsMetricReading(
      [pod("web-0"), pod("web-0", { cluster: "cloud-1" }), pod("web-1", { cluster: "idc-2" })],
      values,
    ) as Extract<MetricReading, { pods: unknown }>;
    expect(r.pods.map((p) => p.name)).toEqual(["idc-1/web-0", "cloud-1/web-0", "idc-2/web-1"]);
    expect(r.samples.get("idc-1/web-0")?.value).toBe(30_000);
    expect(r.samples.get("cloud-1/web-0")?.value).toBe(90_000);
    // No value read in idc-2: a missing metric, as Kubernetes' HPA counts it.
    expect(r.samples.has("idc-2/web-1")).toBe(false);
  });
});
