import { describe, expect, it } from "@jest/globals";
import { judgeFleetWrite, judgeReadOnlyWrite, notKeptMessage } from "./fleet-write-policy.ts";

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
      { resource: pods, name: "coredns", namespace: "kube-system", holding: { cluster: "idc-2" } },
      {
        allowed: false,
        reason: "ReadOnlyNamespace",
        message:
          "pods in kube-system are read-only through the fleet API: each cluster's control plane owns them (change coredns in idc-2)",
      },
    ],
    [
      "a write to a user's object goes to its member",
      { resource: pods, name: "web-1", namespace: "shop", holding: { cluster: "idc-1" } },
      { allowed: true },
    ],
    [
      "a cluster-scoped object is no namespace's",
      { resource: { resource: "nodes" }, name: "n1", holding: { cluster: "idc-1" } },
      { allowed: true },
    ],
    [
      "a create of a fleet-level kind goes to the host",
      { resource: { resource: "deployments", fleetLevel: {} }, name: "web", namespace: "shop" },
      { allowed: true },
    ],
    [
      "a create of a fleet-level kind in a system namespace is refused (the fleet API server's own controllers write there)",
      { resource: { resource: "configmaps", fleetLevel: {} }, name: "extension-apiserver-authentication", namespace: "kube-system" },
      {
        allowed: false,
        reason: "ReadOnlyNamespace",
        message:
          "configmaps in kube-system are read-only through the fleet API: each cluster's control plane owns them (change extension-apiserver-authentication in the cluster that owns it)",
      },
    ],
    [
      "a kind the fleet does not run says what to do instead",
      {
        resource: {
          resource: "daemonsets",
          refuse: "a DaemonSet runs on every node of one cluster; create it in each member that needs it",
        },
        name: "agent",
        namespace: "shop",
      },
      {
        allowed: false,
        reason: "CreateRefused",
        message:
          'daemonsets are not created through the fleet API (daemonsets "agent"): a DaemonSet runs on every node of one cluster; create it in each member that needs it',
      },
    ],
    [
      "the kubernetes Service is each cluster's own",
      { resource: { resource: "services", fleetLevel: {} }, name: "kubernetes", namespace: "default", holding: { cluster: "" } },
      {
        allowed: false,
        reason: "ReadOnlyObject",
        message:
          "the kubernetes Service in default is each cluster's own address of its API server: it is not written through the fleet API",
      },
    ],
  ])("%s", (_what, write, verdict) => {
    expect(judgeFleetWrite(write, SYSTEM)).toEqual(verdict);
  });
});

describe("judgeReadOnlyWrite", () => {
  const placements = { resource: "placements", readOnly: "Placements are the scheduler's decisions, written on the host" };
  it.each([
    ["a change to a read-only kind names where to make it", placements, true, false],
    ["a write that changes nothing the host keeps passes", placements, false, true],
    ["a writable kind passes", { resource: "configmaps" }, true, true],
  ])("%s", (_name, resource, changesHost, allowed) => {
    const verdict = judgeReadOnlyWrite(resource, "web", changesHost);
    expect(verdict.allowed).toBe(allowed);
    if (!verdict.allowed)
      expect(verdict.message).toBe(
        `placements are read-only through the fleet API (placements "web"): Placements are the scheduler's decisions, written on the host`,
      );
  });
});

describe("notKeptMessage", () => {
  it.each([
    ["/registry/poddisruptionbudgets/shop/web", "poddisruptionbudgets are not kept"],
    ["/registry/argoproj.io/applications/argocd/shop", "applications.argoproj.io are not kept"],
  ])("%s", (key, start) => expect(notKeptMessage(key).startsWith(start)).toBe(true));
});
