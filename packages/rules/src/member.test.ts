import { describe, expect, it } from "@jest/globals";
import type { MemberCluster } from "@spillway/api";
import { isMemberReady, memberLabels } from "./member.ts";

const member = (status?: MemberCluster["status"], region?: string): MemberCluster => ({
  apiVersion: "spillway.dev/v1alpha1",
  kind: "MemberCluster",
  metadata: { name: "cloud-1", labels: { team: "a" } },
  spec: {
    tier: "cloud",
    priority: 1,
    kubeconfigSecretRef: { namespace: "s", name: "k", key: "kubeconfig" },
    ...(region ? { region } : {}),
  },
  ...(status ? { status } : {}),
});

const cond = (status: "True" | "False") => ({
  conditions: [{ type: "Ready", status, reason: "r", message: "", lastTransitionTime: "2026-01-01T00:00:00Z" }],
});

describe("member rules", () => {
  it.each([
    ["never reported", undefined, false],
    ["Ready=True", cond("True"), true],
    ["Ready=False", cond("False"), false],
  ])("readiness when %s", (_n, status, want) => {
    expect(isMemberReady(member(status))).toBe(want);
  });

  it("labels a member with its own labels, tier, name and region", () => {
    expect(memberLabels(member(undefined, "eu-1"))).toEqual({
      team: "a",
      "spillway.dev/tier": "cloud",
      "spillway.dev/cluster": "cloud-1",
      "topology.kubernetes.io/region": "eu-1",
    });
    expect(memberLabels(member())).not.toHaveProperty("topology.kubernetes.io/region");
  });
});
