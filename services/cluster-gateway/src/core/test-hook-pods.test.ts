import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { isTestHookPod, memberTestPod, testHookMember } from "./test-hook-pods.ts";

const hook = (value?: string) => ({
  metadata: { annotations: value === undefined ? {} : ({ "helm.sh/hook": value } as Record<string, string>) },
});

describe("test hook Pods", () => {
  it.each([
    ["test", true],
    ["test-success", true],
    ["test-failure", true],
    ["pre-install, test", true],
    ["pre-install", false],
    ["post-upgrade,post-install", false],
    [undefined, false],
  ])("helm.sh/hook %p is a test hook: %p", (value, expected) => {
    expect(isTestHookPod(hook(value))).toBe(expected);
  });

  it("runs in the best-ranked member running ready pods of the namespace's workloads", () => {
    const rank = (c: string) => (c.startsWith("idc") ? 0 : 1);
    expect(
      testHookMember(
        new Map([
          ["cloud-1", 5],
          ["idc-2", 1],
          ["idc-1", 0],
        ]),
        rank,
      ),
    ).toBe("idc-2");
    expect(testHookMember(new Map([["idc-1", 0]]), rank)).toBeUndefined();
  });

  it("always picks a member with ready pods, and none ranked better has any", () => {
    const members = fc.dictionary(fc.constantFrom("idc-1", "idc-2", "cloud-1", "cloud-2"), fc.nat(3));
    fc.assert(
      fc.property(members, fc.dictionary(fc.constantFrom("idc-1", "idc-2", "cloud-1", "cloud-2"), fc.nat(5)), (ready, ranks) => {
        const rank = (c: string) => ranks[c] ?? 9;
        const chosen = testHookMember(new Map(Object.entries(ready)), rank);
        const running = Object.entries(ready).filter(([, n]) => n > 0);
        if (!running.length) return chosen === undefined;
        return !!chosen && ready[chosen]! > 0 && running.every(([c]) => rank(c) >= rank(chosen));
      }),
    );
  });

  it("asks the member for the Pod as the chart wrote it, without what the fleet API server set", () => {
    const pod = {
      metadata: { name: "t", namespace: "shop", uid: "u", resourceVersion: "1", creationTimestamp: "now", labels: { a: "b" } },
      spec: { restartPolicy: "Never" },
    };
    expect(memberTestPod(pod)).toEqual({
      metadata: { name: "t", namespace: "shop", labels: { a: "b" } },
      spec: { restartPolicy: "Never" },
    });
  });
});
