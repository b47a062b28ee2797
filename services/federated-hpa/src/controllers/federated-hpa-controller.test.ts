/**
 * The autoscaler's reconciler through the kit's in-memory fakes: FederatedHPAs and targets in
 * FakeObjects, the fleet's pods and the host's metrics as plain functions, the scale subresource
 * and the scheduler's capacity as recorders.
 */
import { beforeEach, describe, expect, it } from "@jest/globals";
import type { FederatedDeployment, FederatedHPA, FederatedStatefulSet } from "@spillway/api";
import { FakeObjects } from "@spillway/kit/testing";
import type { FleetPod } from "../core/pod-readings.ts";
import type { TargetKind } from "../core/target.ts";
import { federatedHPAReconciler, type FederatedHPADeps } from "./federated-hpa-controller.ts";

const ns = "ml";
const NOW = Date.parse("2026-11-27T12:00:00Z");
const key = `${ns}/infer`;

const fd = (replicas: number, statusReplicas = replicas): FederatedDeployment => ({
  apiVersion: "spillway.dev/v1alpha1",
  kind: "FederatedDeployment",
  metadata: { name: "infer", namespace: ns, generation: 1 },
  spec: {
    replicas,
    selector: { matchLabels: { app: "infer" } },
    template: { metadata: { labels: { app: "infer" } }, spec: { containers: [{ name: "model", image: "m:1" }] } },
  },
  status: { replicas: statusReplicas },
});

const hpa = (spec: Partial<FederatedHPA["spec"]> = {}, status?: FederatedHPA["status"]): FederatedHPA => ({
  apiVersion: "spillway.dev/v1alpha1",
  kind: "FederatedHPA",
  metadata: { name: "infer", namespace: ns, generation: 1 },
  spec: {
    scaleTargetRef: { apiVersion: "spillway.dev/v1alpha1", kind: "FederatedDeployment", name: "infer" },
    minReplicas: 1,
    maxReplicas: 40,
    metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 60 } } }],
    ...spec,
  },
  ...(status ? { status } : {}),
});

/** A Running, Ready pod started long ago (past the CPU initialization period) using `cpu` of 1000m. */
const pod = (cluster: string, name: string, cpu: number | undefined): FleetPod => ({
  cluster,
  name,
  phase: "Running",
  deleting: false,
  ready: "True",
  readyTransitionMs: NOW - 3_600_000,
  startMs: NOW - 3_600_000,
  containers: [{ name: "model", requestsMilli: { cpu: 1000 }, usageMilli: cpu === undefined ? {} : { cpu } }],
  hasUsage: cpu !== undefined,
  usageTimestampMs: NOW - 5000,
  usageWindowMs: 10_000,
});

describe("federated-hpa reconciler", () => {
  let hpas: FakeObjects<FederatedHPA>;
  let deployments: FakeObjects<FederatedDeployment>;
  let pods: FleetPod[];
  let scaled: Array<[TargetKind, string, number]>;
  let events: string[];
  let asked: number[];
  let room: number;
  let external: number;
  let deps: FederatedHPADeps;

  beforeEach(() => {
    hpas = new FakeObjects<FederatedHPA>("FederatedHPA");
    deployments = new FakeObjects<FederatedDeployment>("FederatedDeployment");
    pods = [];
    scaled = [];
    events = [];
    asked = [];
    room = 1000;
    external = 0;
    deps = {
      client: hpas,
      cache: hpas,
      targets: { FederatedDeployment: deployments, FederatedStatefulSet: new FakeObjects<FederatedStatefulSet>("FederatedStatefulSet") },
      scale: {
        setReplicas: async (kind, namespace, name, replicas) => {
          scaled.push([kind, `${namespace}/${name}`, replicas]);
          const d = deployments.get(name, namespace)!;
          deployments.seed({ ...d, spec: { ...d.spec, replicas } });
        },
      },
      fleetPods: async () => ({ pods }),
      fleetPodsMetric: async () => new Map(),
      hostMetrics: {
        objectMetric: async () => 0,
        externalMetric: async (_ns, metric) => {
          if (metric !== "queue_length") throw new Error(`unable to get external metric ${metric}: 404 not found`);
          return external * 1000; // milli-units
        },
      },
      capacity: async (_kind, _ns, _name, replicas) => {
        asked.push(replicas);
        return {
          replicas: Math.min(replicas, room),
          short: "idc-1, idc-2, cloud-1: needs 1 nvidia.com/gpu per replica; largest free node has 0",
        };
      },
      events: { record: async (_o, type, reason, note) => void events.push(`${type} ${reason} ${note}`) },
      syncPeriodMs: 15_000,
      now: () => NOW,
    };
  });

  const reconcile = () => federatedHPAReconciler(deps)(key);
  const status = () => hpas.get("infer", ns)!.status!;
  const condition = (type: string) => status().conditions?.find((c) => c.type === type);

  it("scales a target up by the fleet-wide utilization, through its scale subresource, and says so", async () => {
    deployments.seed(fd(2));
    hpas.seed(hpa());
    pods = [pod("idc-1", "infer-a", 900), pod("cloud-1", "infer-b", 900)];
    expect(await reconcile()).toEqual({ requeueAfterMs: 15_000 });
    // 90 % of requests against a 60 % target: ceil(2 × 1.5) = 3.
    expect(scaled).toEqual([["FederatedDeployment", key, 3]]);
    expect(asked).toEqual([3]);
    expect(events).toEqual(["Normal SuccessfulRescale New size: 3; reason: cpu resource utilization (percentage of request) above target"]);
    expect(status()).toMatchObject({
      reference: "FederatedDeployment/infer",
      targets: "cpu: 90%/60%",
      currentReplicas: 2,
      desiredReplicas: 3,
      lastScaleTime: new Date(NOW).toISOString(),
      currentMetrics: [{ type: "Resource", resource: { name: "cpu", current: { averageUtilization: 90, averageValue: "900m" } } }],
    });
    expect(condition("AbleToScale")).toMatchObject({ status: "True", reason: "SucceededRescale" });
    expect(condition("ScalingActive")).toMatchObject({ status: "True", reason: "ValidMetricFound" });
    expect(status().history?.scaleUpEvents).toEqual([{ time: new Date(NOW).toISOString(), replicas: 1 }]);
  });

  it("stops a scale-up at what the fleet can place and names what is short", async () => {
    deployments.seed(fd(4));
    hpas.seed(hpa());
    pods = ["a", "b", "c", "d"].map((n) => pod("idc-1", n, 1000));
    room = 5;
    await reconcile();
    expect(scaled).toEqual([["FederatedDeployment", key, 5]]);
    expect(condition("ScalingLimited")).toMatchObject({
      status: "True",
      reason: "FleetCapacity",
      message: expect.stringContaining("nvidia.com/gpu"),
    });
    // Already at what the fleet holds: nothing written, still limited.
    room = 5;
    pods = ["a", "b", "c", "d", "e"].map((n) => pod("idc-1", n, 1000));
    await reconcile();
    expect(scaled).toHaveLength(1);
    expect(condition("ScalingLimited")).toMatchObject({ status: "True", reason: "FleetCapacity" });
  });

  it("scales a FederatedStatefulSet the same way, through its own scale subresource", async () => {
    const sets = deps.targets.FederatedStatefulSet as FakeObjects<FederatedStatefulSet>;
    sets.seed({
      apiVersion: "spillway.dev/v1alpha1",
      kind: "FederatedStatefulSet",
      metadata: { name: "infer", namespace: ns, generation: 1 },
      spec: {
        replicas: 2,
        serviceName: "infer",
        selector: { matchLabels: { app: "infer" } },
        template: { metadata: { labels: { app: "infer" } }, spec: { containers: [{ name: "model", image: "m:1" }] } },
      },
      status: { replicas: 2 },
    });
    deps.scale = { setReplicas: async (kind, namespace, name, replicas) => void scaled.push([kind, `${namespace}/${name}`, replicas]) };
    hpas.seed(hpa({ scaleTargetRef: { apiVersion: "spillway.dev/v1alpha1", kind: "FederatedStatefulSet", name: "infer" } }));
    pods = [pod("idc-1", "infer-0", 900), pod("cloud-1", "infer-1", 900)];
    await reconcile();
    expect(scaled).toEqual([["FederatedStatefulSet", key, 3]]);
  });

  it("writes nothing and says why when the target does not exist", async () => {
    hpas.seed(hpa());
    await reconcile();
    expect(scaled).toEqual([]);
    expect(condition("AbleToScale")).toMatchObject({
      status: "False",
      reason: "FailedGetScale",
      message: expect.stringContaining("FederatedDeployment ml/infer not found"),
    });
  });

  it("never shrinks on metrics it cannot read", async () => {
    deployments.seed(fd(3));
    hpas.seed(hpa());
    deps.fleetPods = async () => {
      throw new Error("unable to get pod metrics from cluster-gateway (127.0.0.1:9090: 14 UNAVAILABLE)");
    };
    await reconcile();
    expect(scaled).toEqual([]);
    expect(condition("ScalingActive")).toMatchObject({
      status: "False",
      reason: "FailedGetResourceMetric",
      message: expect.stringContaining("UNAVAILABLE"),
    });
  });

  it("keeps the stabilization window across a restart: the recommendations live in status", async () => {
    deployments.seed(fd(8));
    pods = Array.from({ length: 8 }, (_, i) => pod("idc-1", `p${i}`, 100));
    // A recommendation of 8 two minutes ago: within the 300 s window, no scale-down yet.
    const recent = new Date(NOW - 120_000).toISOString();
    hpas.seed(hpa({}, { history: { recommendations: [{ time: recent, replicas: 8 }] } }));
    await reconcile();
    expect(scaled).toEqual([]);
    expect(condition("AbleToScale")).toMatchObject({ reason: "ScaleDownStabilized" });
    // Once that recommendation has aged out of the window, the same usage scales down.
    deps.now = () => NOW + 200_000;
    await reconcile();
    expect(scaled).toEqual([["FederatedDeployment", key, 2]]);
  });

  it("scales to zero and back from zero on an External metric", async () => {
    deployments.seed(fd(2));
    const spec = {
      minReplicas: 0,
      metrics: [
        {
          type: "External" as const,
          external: { metric: { name: "queue_length" }, target: { type: "AverageValue" as const, averageValue: "10" } },
        },
      ],
      behavior: { scaleDown: { stabilizationWindowSeconds: 0 } },
    };
    hpas.seed(hpa(spec));
    external = 0;
    await reconcile();
    expect(scaled).toEqual([["FederatedDeployment", key, 0]]);
    deployments.seed(fd(0, 0));
    external = 35;
    await reconcile();
    // 35 waiting at 10 per replica: 4.
    expect(scaled.at(-1)).toEqual(["FederatedDeployment", key, 4]);
    expect(status().currentMetrics).toEqual([
      { type: "External", external: { metric: { name: "queue_length" }, current: { averageValue: "35" } } },
    ]);
  });

  it("says which metric has no source", async () => {
    deployments.seed(fd(2));
    hpas.seed(
      hpa({ metrics: [{ type: "External", external: { metric: { name: "tokens_waiting" }, target: { type: "Value", value: "100" } } }] }),
    );
    await reconcile();
    expect(scaled).toEqual([]);
    expect(condition("ScalingActive")).toMatchObject({
      status: "False",
      reason: "FailedGetExternalMetric",
      message: expect.stringContaining("tokens_waiting"),
    });
  });
});
