/**
 * The API as a user meets it through kubectl: the five kinds are served, bad FederatedDeployments
 * are refused by the API server with messages naming the field, and `kubectl scale` works through
 * the scale subresource.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { stringify } from "yaml";
import { kubectl } from "./kubectl.ts";
import { createNamespace, deleteNamespace, uniqueName } from "./helpers.ts";
import { testImage } from "./env.ts";

const ns = uniqueName("e2e-api");

function deployment(name: string, patch: (spec: Record<string, unknown>) => void) {
  const spec: Record<string, unknown> = {
    replicas: 3,
    selector: { matchLabels: { app: "web" } },
    template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: testImage(1) }] } },
    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
  };
  patch(spec);
  return stringify({ apiVersion: "spillway.dev/v1alpha1", kind: "FederatedDeployment", metadata: { name, namespace: ns }, spec });
}

describe("the spillway.dev API on host", () => {
  beforeAll(() => createNamespace("host", ns));
  afterAll(() => deleteNamespace("host", ns));

  it("serves the five kinds", async () => {
    const r = await kubectl("host", ["api-resources", "--api-group=spillway.dev", "-o", "name"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split("\n").sort()).toEqual(
      ["federateddeployments", "federatedhpas", "federatedstatefulsets", "memberclusters", "placements"].map((p) => `${p}.spillway.dev`),
    );
  });

  it.each<[string, (spec: Record<string, unknown>) => void, RegExp]>([
    ["negative replicas", (s) => (s["replicas"] = -1), /spec\.replicas: Invalid value: -1/],
    [
      "a selector that does not match the template labels",
      (s) => (s["selector"] = { matchLabels: { app: "api" } }),
      /spec\.selector: Invalid value: .*selector does not match template labels/,
    ],
    [
      "maxSurge and maxUnavailable both 0",
      (s) => (s["strategy"] = { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: "0%" } }),
      /spec\.strategy\.rollingUpdate\.maxUnavailable: Invalid value: .*may not be 0 when maxSurge is 0/,
    ],
    [
      "a negative maxSurge",
      (s) => (s["strategy"] = { rollingUpdate: { maxSurge: -1 } }),
      /spec\.strategy\.rollingUpdate\.maxSurge: Invalid value/,
    ],
    [
      "rollingUpdate with the Recreate strategy",
      (s) => (s["strategy"] = { type: "Recreate", rollingUpdate: { maxSurge: 1 } }),
      /spec\.strategy\.rollingUpdate: Forbidden/,
    ],
  ])("refuses %s, naming the field", async (_what, patch, message) => {
    const r = await kubectl("host", ["apply", "-f", "-"], deployment(uniqueName("bad"), patch));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(message);
  });

  it("accepts a valid one, defaults it like a Deployment, and scales it with kubectl scale", async () => {
    const applied = await kubectl(
      "host",
      ["apply", "-f", "-"],
      deployment("web", (s) => delete s["strategy"]),
    );
    expect(applied.stderr).toBe("");
    const got = JSON.parse((await kubectl("host", ["get", "-n", ns, "fdeploy", "web", "-o", "json"])).stdout) as {
      spec: { strategy: unknown; revisionHistoryLimit: number; progressDeadlineSeconds: number };
    };
    expect(got.spec.revisionHistoryLimit).toBe(10);
    expect(got.spec.progressDeadlineSeconds).toBe(600);

    const scaled = await kubectl("host", ["scale", "-n", ns, "fdeploy/web", "--replicas=7"]);
    expect(scaled.code).toBe(0);
    const replicas = await kubectl("host", ["get", "-n", ns, "fdeploy", "web", "-o", "jsonpath={.spec.replicas}"]);
    expect(replicas.stdout).toBe("7");
  });

  it("keeps the selector immutable", async () => {
    await kubectl(
      "host",
      ["apply", "-f", "-"],
      deployment("fixed", () => {}),
    );
    const r = await kubectl(
      "host",
      ["apply", "-f", "-"],
      deployment("fixed", (s) => {
        s["selector"] = { matchLabels: { app: "web", tier: "front" } };
        s["template"] = {
          metadata: { labels: { app: "web", tier: "front" } },
          spec: { containers: [{ name: "web", image: testImage(1) }] },
        };
      }),
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/spec\.selector: Invalid value: .*selector is immutable/);
  });

  const fhpa = (spec: Record<string, unknown>) =>
    stringify({
      apiVersion: "spillway.dev/v1alpha1",
      kind: "FederatedHPA",
      metadata: { name: uniqueName("h"), namespace: ns },
      spec: {
        scaleTargetRef: { apiVersion: "spillway.dev/v1alpha1", kind: "FederatedDeployment", name: "web" },
        minReplicas: 1,
        maxReplicas: 10,
        metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 60 } } }],
        ...spec,
      },
    });
  const queue = { type: "External", external: { metric: { name: "queue_length" }, target: { type: "AverageValue", averageValue: "30" } } };

  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      "maxReplicas below minReplicas",
      { minReplicas: 5, maxReplicas: 2 },
      /spec\.maxReplicas: Invalid value: .*must be greater than or equal to minReplicas/,
    ],
    [
      "a target kind without a scale subresource here",
      { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" } },
      /spec\.scaleTargetRef\.kind: Unsupported value: "Deployment": supported values: "FederatedDeployment", "FederatedStatefulSet"/,
    ],
    [
      "a metric type with no source",
      { metrics: [{ type: "External" }] },
      /spec\.metrics\[0\]: Invalid value: .*a metric of type External needs the external field/,
    ],
    [
      "a Utilization target without averageUtilization",
      { metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization" } } }] },
      /spec\.metrics\[0\]\.resource\.target: Invalid value: .*averageUtilization is required for type Utilization/,
    ],
    [
      "a behavior policy with a zero period",
      { behavior: { scaleDown: { policies: [{ type: "Pods", value: 1, periodSeconds: 0 }] } } },
      /spec\.behavior\.scaleDown\.policies\[0\]\.periodSeconds: Invalid value: 0: spec\.behavior\.scaleDown\.policies\[0\]\.periodSeconds in body should be greater than or equal to 1/,
    ],
    [
      "minReplicas 0 on CPU alone",
      { minReplicas: 0 },
      /spec\.minReplicas: Invalid value: .*minReplicas 0 \(scale to zero\) needs an Object or External metric/,
    ],
  ])("refuses a FederatedHPA with %s, naming the field", async (_what, spec, message) => {
    const r = await kubectl("host", ["apply", "-f", "-"], fhpa(spec));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(message);
  });

  it("accepts a FederatedHPA that scales to zero on an External metric, with behavior", async () => {
    const r = await kubectl(
      "host",
      ["apply", "-f", "-"],
      fhpa({ minReplicas: 0, metrics: [queue], behavior: { scaleDown: { stabilizationWindowSeconds: 60, selectPolicy: "Min" } } }),
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      "overlapping ordinalRanges",
      {
        ordinalRanges: [
          { cluster: "idc-1", start: 0, count: 3 },
          { cluster: "cloud-1", start: 2, count: 1 },
        ],
      },
      /spec\.ordinalRanges: Invalid value: .*(ordinalRanges overlap|must lie within)/,
    ],
    [
      "ordinalRanges with a gap (outside [start, start+replicas))",
      {
        ordinalRanges: [
          { cluster: "idc-1", start: 0, count: 2 },
          { cluster: "cloud-1", start: 3, count: 2 },
        ],
      },
      /spec\.ordinalRanges: Invalid value: .*every ordinalRanges entry must lie within/,
    ],
    [
      "two ranges in one cluster",
      {
        ordinalRanges: [
          { cluster: "idc-1", start: 0, count: 2 },
          { cluster: "idc-1", start: 2, count: 2 },
        ],
      },
      /spec\.ordinalRanges: Invalid value: .*must name each cluster once/,
    ],
    [
      "a partition with OnDelete",
      { updateStrategy: { type: "OnDelete", rollingUpdate: { partition: 2 } } },
      /spec\.updateStrategy\.rollingUpdate: Forbidden|spec\.updateStrategy: Invalid value: .*only allowed for updateStrategy type RollingUpdate/,
    ],
  ])("refuses a FederatedStatefulSet with %s, naming the field", async (_what, extra, message) => {
    const fsts = stringify({
      apiVersion: "spillway.dev/v1alpha1",
      kind: "FederatedStatefulSet",
      metadata: { name: uniqueName("bad"), namespace: ns },
      spec: {
        replicas: 4,
        selector: { matchLabels: { app: "db" } },
        template: { metadata: { labels: { app: "db" } }, spec: { containers: [{ name: "db", image: testImage(1) }] } },
        ...extra,
      },
    });
    const r = await kubectl("host", ["apply", "-f", "-"], fsts);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(message);
  });
});
