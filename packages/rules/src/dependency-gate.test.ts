import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import {
  dependenciesCondition,
  dependencyConflicts,
  judgeDependencies,
  recheckedVerdict,
  type DependencySighting,
  type DependencyVerdict,
} from "./dependency-gate.ts";

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

describe("dependencyConflicts", () => {
  const verdict = (conflicts: string[], waiting: string[] = []): DependencyVerdict => ({ waiting, conflicts });

  it("keeps members not judged this pass, replaces those judged, drops the resolved; sorted by member", () => {
    const before = [
      { name: "idc-2", objects: ["ConfigMap/cfg"] },
      { name: "cloud-1", objects: ["Secret/pw"] },
    ];
    expect(
      dependencyConflicts(
        before,
        new Map([
          ["cloud-1", verdict([])],
          ["idc-1", verdict(["Service/web", "ConfigMap/a"])],
        ]),
      ),
    ).toEqual([
      { name: "idc-1", objects: ["ConfigMap/a", "Service/web"] },
      { name: "idc-2", objects: ["ConfigMap/cfg"] },
    ]);
  });

  it("a kept-out member rechecked: only conflicts count (what it lacks is copied once it is placed)", () => {
    expect(recheckedVerdict(verdict([], ["ConfigMap/cfg"]))).toEqual(verdict([]));
    expect(
      dependencyConflicts(
        [{ name: "idc-1", objects: ["ConfigMap/cfg"] }],
        new Map([["idc-1", recheckedVerdict(verdict([], ["ConfigMap/cfg"]))]]),
      ),
    ).toEqual([]);
  });

  it("a member is listed exactly when its latest verdict had conflicts", () => {
    const member = fc.constantFrom("idc-1", "idc-2", "cloud-1");
    const objects = fc.uniqueArray(fc.constantFrom("ConfigMap/a", "Secret/b", "Service/c"));
    fc.assert(
      fc.property(fc.array(fc.array(fc.tuple(member, objects), { maxLength: 3 }), { maxLength: 5 }), (passes) => {
        let list = dependencyConflicts(undefined, new Map());
        const latest = new Map<string, string[]>();
        for (const pass of passes) {
          const judged = new Map(pass.map(([m, o]) => [m, verdict(o)]));
          list = dependencyConflicts(list, judged);
          for (const [m, v] of judged) latest.set(m, v.conflicts);
        }
        const expected = [...latest].filter(([, o]) => o.length).map(([m, o]) => [m, [...o].sort()]);
        expect(list.map((c) => [c.name, c.objects])).toEqual(expected.sort(([a], [b]) => (a! < b! ? -1 : 1)));
      }),
    );
  });
});
