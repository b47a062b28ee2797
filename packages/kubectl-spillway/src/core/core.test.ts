/** The plugin's pure pieces, table-style: kubectl's table, KIND/NAME, cluster rows, rollout status. */
import { describe, expect, it } from "@jest/globals";
import type { FederatedDeployment, FederatedStatefulSet, MemberCluster, Placement } from "@spillway/api";
import { clusterRows } from "./cluster-rows.ts";
import { placementRows, placementSummary } from "./placement-rows.ts";
import { deploymentRollout, statefulSetRollout } from "./rollout-status.ts";
import { formatTable } from "./table.ts";
import { parseWorkloadRef } from "./workload-ref.ts";

describe("formatTable", () => {
  it("aligns columns three spaces apart with upper-case headers, <none> for empty cells, no trailing blanks", () => {
    expect(
      formatTable(
        ["name", "tier"],
        [
          ["idc-1", "idc"],
          ["cloud-long", ""],
        ],
      ),
    ).toBe("NAME         TIER\nidc-1        idc\ncloud-long   <none>\n");
    expect(formatTable(["name", "tier"], [["a", "b"]], true)).toBe("a   b\n");
  });
});

describe("parseWorkloadRef", () => {
  it.each([
    ["federateddeployment/web", "FederatedDeployment"],
    ["fdeploy/web", "FederatedDeployment"],
    ["FederatedDeployments.spillway.dev/web", "FederatedDeployment"],
    ["fsts/web", "FederatedStatefulSet"],
  ])("reads %s", (arg, kind) => {
    expect(parseWorkloadRef(arg)).toEqual({ kind, name: "web" });
  });
  it.each([["deployment/web"], ["fdeploy"], ["fdeploy/a/b"], [""]])("refuses %j naming the accepted kinds", (arg) => {
    expect(() => parseWorkloadRef(arg)).toThrow(
      /expected KIND\/NAME with KIND one of federateddeployment \(fdeploy\) or federatedstatefulset \(fsts\)/,
    );
  });
});

const member = (
  name: string,
  tier: "idc" | "cloud",
  priority: number,
  status?: MemberCluster["status"],
  fenced = false,
): MemberCluster => ({
  apiVersion: "spillway.dev/v1alpha1",
  kind: "MemberCluster",
  metadata: { name },
  spec: { tier, priority, fenced, kubeconfigSecretRef: { namespace: "s", name, key: "kubeconfig" } },
  ...(status ? { status } : {}),
});
const ready = (status: "True" | "False", reason = "Ready") => [
  { type: "Ready", status, reason, message: "", lastTransitionTime: "2026-01-01T00:00:00Z" },
];

describe("clusterRows", () => {
  it("ranks IDC first, then priority, and shows free over total", () => {
    const rows = clusterRows([
      member("cloud-1", "cloud", 1, {
        conditions: ready("True"),
        nodeCount: 8,
        allocatable: { cpu: "128", memory: "512Gi", "nvidia.com/gpu": "16" },
        requested: { cpu: "4500m", memory: "1536Mi", "nvidia.com/gpu": "4" },
      }),
      member("idc-2", "idc", 20, { conditions: ready("False", "Unreachable") }, true),
      member("idc-1", "idc", 10),
    ]);
    expect(rows).toEqual([
      ["idc-1", "idc", "10", "Unknown", "-", "-", "-", "-", "false"],
      ["idc-2", "idc", "20", "False (Unreachable)", "-", "-", "-", "-", "true"],
      ["cloud-1", "cloud", "1", "True", "123.5/128", "510.5Gi/512Gi", "12/16", "8", "false"],
    ]);
  });
});

describe("placement", () => {
  const p: Placement = {
    apiVersion: "spillway.dev/v1alpha1",
    kind: "Placement",
    metadata: { name: "federatedstatefulset-db", namespace: "shop" },
    spec: {
      workloadRef: { apiVersion: "spillway.dev/v1alpha1", kind: "FederatedStatefulSet", name: "db" },
      workloadGeneration: 1,
      clusters: [
        { name: "idc-1", replicas: 8, ordinalStart: 0, reason: "idc first" },
        { name: "cloud-1", replicas: 2, ordinalStart: 8, reason: "overflow" },
      ],
      unschedulableReplicas: 0,
    },
    status: { phase: "Scheduled" },
  };
  it("lists members with tier, replicas and ordinal ranges", () => {
    expect(placementRows(p, [member("idc-1", "idc", 1), member("cloud-1", "cloud", 1)])).toEqual([
      ["idc-1", "idc", "8", "0-7", "idc first"],
      ["cloud-1", "cloud", "2", "8-9", "overflow"],
    ]);
    expect(placementSummary(p)).toBe("FederatedStatefulSet shop/db: 10 replicas placed in 2 clusters (Scheduled)");
  });
  it("says what is short when replicas fit nowhere", () => {
    const short: Placement = {
      ...p,
      spec: { ...p.spec, unschedulableReplicas: 3 },
      status: {
        conditions: [
          {
            type: "Scheduled",
            status: "False",
            reason: "Unschedulable",
            message: "needs 10 cpu",
            lastTransitionTime: "2026-01-01T00:00:00Z",
          },
        ],
      },
    };
    expect(placementSummary(short)).toBe("FederatedStatefulSet shop/db: 10 replicas placed in 2 clusters, 3 fit nowhere: needs 10 cpu");
  });
});

const fd = (replicas: number, status: FederatedDeployment["status"], generation = 2): FederatedDeployment => ({
  apiVersion: "spillway.dev/v1alpha1",
  kind: "FederatedDeployment",
  metadata: { name: "web", namespace: "shop", generation },
  spec: { replicas, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } } } },
  status,
});

describe("deploymentRollout, by kubectl's Deployment rules", () => {
  const name = 'federateddeployment "web"';
  it.each<[string, FederatedDeployment, boolean, string]>([
    ["spec not observed", fd(10, { observedGeneration: 1 }), false, `Waiting for ${name} spec update to be observed...`],
    [
      "not all updated",
      fd(10, { observedGeneration: 2, replicas: 12, updatedReplicas: 4 }),
      false,
      `Waiting for ${name} rollout to finish: 4 out of 10 new replicas have been updated...`,
    ],
    [
      "old pending",
      fd(10, { observedGeneration: 2, replicas: 12, updatedReplicas: 10 }),
      false,
      `Waiting for ${name} rollout to finish: 2 old replicas are pending termination...`,
    ],
    [
      "not available",
      fd(10, { observedGeneration: 2, replicas: 10, updatedReplicas: 10, availableReplicas: 7 }),
      false,
      `Waiting for ${name} rollout to finish: 7 of 10 updated replicas are available...`,
    ],
    [
      "done",
      fd(10, { observedGeneration: 2, replicas: 10, updatedReplicas: 10, availableReplicas: 10 }),
      true,
      `${name} successfully rolled out`,
    ],
  ])("%s", (_what, w, done, message) => {
    expect(deploymentRollout(w)).toMatchObject({ done, message });
  });
  it("fails on an exceeded progress deadline, and shows each member", () => {
    const w = fd(10, {
      observedGeneration: 2,
      conditions: [
        {
          type: "Progressing",
          status: "False",
          reason: "ProgressDeadlineExceeded",
          message: "",
          lastTransitionTime: "2026-01-01T00:00:00Z",
        },
      ],
      clusters: [{ name: "idc-1", replicas: 6, updatedReplicas: 2, availableReplicas: 5, reachable: false }],
    });
    expect(deploymentRollout(w)).toEqual({
      done: false,
      message: "",
      error: `${name} exceeded its progress deadline`,
      clusters: ["  idc-1: 2/6 updated, 5 available (unreachable: last seen)"],
    });
  });
});

const sts = (spec: Partial<FederatedStatefulSet["spec"]>, status: FederatedStatefulSet["status"]): FederatedStatefulSet => ({
  apiVersion: "spillway.dev/v1alpha1",
  kind: "FederatedStatefulSet",
  metadata: { name: "db", namespace: "shop", generation: 1 },
  spec: { replicas: 4, selector: { matchLabels: { app: "db" } }, template: { metadata: { labels: { app: "db" } } }, ...spec },
  status: { observedGeneration: 1, ...status },
});

describe("statefulSetRollout, by kubectl's StatefulSet rules", () => {
  it.each<[string, FederatedStatefulSet, Partial<ReturnType<typeof statefulSetRollout>>]>([
    ["pods not ready", sts({}, { readyReplicas: 1 }), { done: false, message: "Waiting for 3 pods to be ready..." }],
    [
      "revision moving",
      sts({}, { readyReplicas: 4, updatedReplicas: 2, currentRevision: "a", updateRevision: "b" }),
      { done: false, message: "waiting for statefulset rolling update to complete 2 pods at revision b..." },
    ],
    [
      "done",
      sts({}, { readyReplicas: 4, currentReplicas: 4, currentRevision: "b", updateRevision: "b" }),
      { done: true, message: "statefulset rolling update complete 4 pods at revision b..." },
    ],
    [
      "partition waiting",
      sts({ updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 2 } } }, { readyReplicas: 4, updatedReplicas: 1 }),
      { done: false, message: "Waiting for partitioned roll out to finish: 1 out of 2 new pods have been updated..." },
    ],
    [
      "partition done",
      sts({ updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 2 } } }, { readyReplicas: 4, updatedReplicas: 2 }),
      { done: true, message: "partitioned roll out complete: 2 new pods have been updated..." },
    ],
    [
      "OnDelete",
      sts({ updateStrategy: { type: "OnDelete" } }, {}),
      { done: false, error: "rollout status is only available for RollingUpdate strategy type" },
    ],
  ])("%s", (_what, w, expected) => {
    expect(statefulSetRollout(w)).toMatchObject(expected);
  });
  it("shows each member's ordinal range", () => {
    const w = sts(
      {},
      { readyReplicas: 1, ordinalRanges: [{ cluster: "idc-1", start: 0, count: 3, readyReplicas: 1, updatedReplicas: 0 }] },
    );
    expect(statefulSetRollout(w).clusters).toEqual(["  idc-1: ordinals 0-2, 1 ready, 0 updated"]);
  });
});
