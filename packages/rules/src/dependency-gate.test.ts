import { describe, expect, it } from "@jest/globals";
import { dependenciesCondition, judgeDependencies, type DependencySighting } from "./dependency-gate.ts";

const cm = { kind: "ConfigMap" as const, name: "cfg" };

describe("judgeDependencies", () => {
  it.each<[string, DependencySighting, { waiting: string[]; conflicts: string[] }]>([
    ["Spillway's copy is there", { ref: cm, member: "copy" }, { waiting: [], conflicts: [] }],
    ["absent, and the host holds it: wait", { ref: cm, member: "absent", onHost: true }, { waiting: ["ConfigMap/cfg"], conflicts: [] }],
    ["absent, and not on the host: the member's business", { ref: cm, member: "absent", onHost: false }, { waiting: [], conflicts: [] }],
    [
      "the member's own, host holds one: conflict",
      { ref: cm, member: "foreign", onHost: true },
      { waiting: [], conflicts: ["ConfigMap/cfg"] },
    ],
    ["the member's own, nothing on the host: used as is", { ref: cm, member: "foreign", onHost: false }, { waiting: [], conflicts: [] }],
  ])("%s", (_n, s, expected) => {
    expect(judgeDependencies([s])).toEqual(expected);
  });
});

describe("dependenciesCondition", () => {
  it("names the member and the object of a conflict, before any wait", () => {
    const c = dependenciesCondition(
      "shop",
      new Map([
        ["idc-1", { waiting: ["Secret/pw"], conflicts: [] }],
        ["cloud-1", { waiting: [], conflicts: ["ConfigMap/cfg"] }],
      ]),
    );
    expect(c).toMatchObject({ status: "False", reason: "UnmanagedDependencyExists" });
    expect(c.message).toContain("ConfigMap shop/cfg in cloud-1");
    expect(c.message).toContain("rename or delete it there");
  });
  it("says what is awaited where", () => {
    const c = dependenciesCondition("shop", new Map([["idc-1", { waiting: ["Secret/pw"], conflicts: [] }]]));
    expect(c).toMatchObject({ status: "False", reason: "WaitingForDependencies" });
    expect(c.message).toContain("Secret/pw in idc-1");
  });
  it("is True when every member holds what it needs", () => {
    expect(dependenciesCondition("shop", new Map([["idc-1", { waiting: [], conflicts: [] }]]))).toMatchObject({ status: "True" });
  });
});
