import { describe, expect, it } from "@jest/globals";
import type { Placement } from "@spillway/api";
import { followedWorkload, workloadMembers } from "./dependency-needs.ts";

const placement = (clusters: Array<[string, number]>): Pick<Placement, "spec"> => ({
  spec: {
    workloadRef: { apiVersion: "spillway.dev/v1alpha1", kind: "FederatedDeployment", name: "web" },
    workloadGeneration: 1,
    clusters: clusters.map(([name, replicas]) => ({ name, replicas, reason: "fits" })),
    unschedulableReplicas: 0,
  },
});

describe("workloadMembers", () => {
  it.each<[string, Array<[string, number]> | undefined, string[], string[]]>([
    [
      "placed members with replicas",
      [
        ["idc-1", 2],
        ["cloud-1", 0],
      ],
      [],
      ["idc-1"],
    ],
    ["and members still holding pods (draining back)", [["idc-1", 3]], ["cloud-1"], ["cloud-1", "idc-1"]],
    ["no placement yet", undefined, [], []],
  ])("%s", (_n, clusters, held, expected) => {
    expect(workloadMembers(clusters && placement(clusters), held)).toEqual(expected);
  });
});

describe("followedWorkload", () => {
  it("needs the template's objects, what its account lends, and the Services selecting its pods", () => {
    const w = followedWorkload(
      {
        id: "FederatedDeployment/web",
        template: { metadata: { labels: { app: "web" } }, spec: { serviceAccountName: "web", volumes: [{ configMap: { name: "cfg" } }] } },
        heldIn: [],
      },
      placement([["idc-1", 1]]),
      {
        account: (name) => (name === "web" ? { metadata: { name }, imagePullSecrets: [{ name: "registry" }] } : undefined),
        services: [
          { metadata: { name: "web" }, spec: { selector: { app: "web" } } },
          { metadata: { name: "api" }, spec: { selector: { app: "api" } } },
        ],
      },
    );
    expect(w.members).toEqual(["idc-1"]);
    expect(w.needs.map((r) => `${r.kind}/${r.name}`)).toEqual(["ConfigMap/cfg", "ServiceAccount/web", "Secret/registry", "Service/web"]);
  });
});
