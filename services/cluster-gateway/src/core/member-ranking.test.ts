import { describe, expect, it } from "@jest/globals";
import type { MemberCluster } from "@spillway/api";
import { memberRanking } from "./member-ranking.ts";

const member = (name: string, tier: "idc" | "cloud", priority = 100): MemberCluster => ({
  apiVersion: "spillway.dev/v1alpha1",
  kind: "MemberCluster",
  metadata: { name },
  spec: { tier, priority, kubeconfigSecretRef: { namespace: "s", name, key: "kubeconfig" } },
});

describe("memberRanking", () => {
  it.each([
    ["IDC before cloud, whatever the priority", [member("cloud-1", "cloud", 1), member("idc-1", "idc", 50)], "idc-1,cloud-1"],
    ["lower priority first within a tier", [member("idc-2", "idc", 20), member("idc-1", "idc", 10)], "idc-1,idc-2"],
    ["by name when priorities tie", [member("b", "idc"), member("a", "idc"), member("c", "idc", 99)], "c,a,b"],
  ])("%s", (_what, members, order) => {
    const r = memberRanking(members);
    expect(r.order).toBe(order);
    expect(order.split(",").map(r.rank)).toEqual(order.split(",").map((_, i) => i));
    expect(r.rank("unknown")).toBe(members.length);
  });
});
