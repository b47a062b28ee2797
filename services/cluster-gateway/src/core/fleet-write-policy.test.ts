import { describe, expect, it } from "@jest/globals";
import { judgeFleetWrite } from "./fleet-write-policy.ts";

const SYSTEM = ["kube-system", "kube-public", "kube-node-lease"];
const pods = { resource: "pods", createInstead: "a FederatedDeployment or FederatedStatefulSet (spillway.dev/v1alpha1)" };

describe("judgeFleetWrite", () => {
  it.each([
    [
      "a create of a kind with a federated form names it",
      { resource: pods, name: "web-1" },
      {
        allowed: false,
        reason: "CreateRefused",
        message:
          'pods are not created through the fleet API (pods "web-1"): create a FederatedDeployment or FederatedStatefulSet (spillway.dev/v1alpha1) on the host, or create it in its member cluster',
      },
    ],
    [
      "a create of a kind without one names the member",
      { resource: { resource: "nodes" }, name: "n1" },
      {
        allowed: false,
        reason: "CreateRefused",
        message: 'nodes are not created through the fleet API (nodes "n1"): create it in its member cluster',
      },
    ],
    [
      "a write in a member's kube-system says where to make it",
      { resource: pods, name: "coredns", holding: { namespace: "kube-system", cluster: "idc-2" } },
      {
        allowed: false,
        reason: "ReadOnlyNamespace",
        message: "pods in kube-system are read-only through the fleet API: each member's control plane owns them (change coredns in idc-2)",
      },
    ],
    [
      "a write to a user's object goes to its member",
      { resource: pods, name: "web-1", holding: { namespace: "shop", cluster: "idc-1" } },
      { allowed: true },
    ],
    [
      "a cluster-scoped object is no namespace's",
      { resource: { resource: "nodes" }, name: "n1", holding: { cluster: "idc-1" } },
      { allowed: true },
    ],
  ])("%s", (_what, write, verdict) => {
    expect(judgeFleetWrite(write, SYSTEM)).toEqual(verdict);
  });
});
