import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { matchesRequirement, matchesSelector, selectorString, type Requirement } from "./label-selector.ts";

const labels = { app: "web", tier: "cloud", gen: "5" };

describe("matchesSelector", () => {
  it.each([
    ["no selector matches everything", undefined, true],
    ["empty selector matches everything", {}, true],
    ["matchLabels equal", { matchLabels: { app: "web" } }, true],
    ["matchLabels differ", { matchLabels: { app: "api" } }, false],
    ["matchLabels missing key", { matchLabels: { zone: "a" } }, false],
    ["In holds", { matchExpressions: [{ key: "tier", operator: "In" as const, values: ["idc", "cloud"] }] }, true],
    ["In on absent key", { matchExpressions: [{ key: "zone", operator: "In" as const, values: ["a"] }] }, false],
    ["NotIn on absent key holds", { matchExpressions: [{ key: "zone", operator: "NotIn" as const, values: ["a"] }] }, true],
    ["NotIn excludes", { matchExpressions: [{ key: "tier", operator: "NotIn" as const, values: ["cloud"] }] }, false],
    ["Exists", { matchExpressions: [{ key: "app", operator: "Exists" as const }] }, true],
    ["DoesNotExist", { matchExpressions: [{ key: "app", operator: "DoesNotExist" as const }] }, false],
    [
      "labels and expressions are ANDed",
      { matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "In" as const, values: ["idc"] }] },
      false,
    ],
  ])("%s", (_name, selector, want) => {
    expect(matchesSelector(labels, selector)).toBe(want);
  });
});

describe("matchesRequirement", () => {
  it.each([
    [{ key: "gen", operator: "Gt", values: ["4"] }, true],
    [{ key: "gen", operator: "Gt", values: ["5"] }, false],
    [{ key: "gen", operator: "Lt", values: ["6"] }, true],
    [{ key: "nope", operator: "Gt", values: ["0"] }, false],
  ] as Array<[Requirement, boolean]>)("%j → %s", (r, want) => {
    expect(matchesRequirement(labels, r)).toBe(want);
  });

  it("NotIn is the negation of In for every label set", () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom("a", "b", "c"), fc.constantFrom("x", "y")),
        fc.array(fc.constantFrom("x", "y")),
        (ls, values) => {
          const inside = matchesRequirement(ls, { key: "a", operator: "In", values });
          expect(matchesRequirement(ls, { key: "a", operator: "NotIn", values })).toBe(!inside);
        },
      ),
    );
  });
});

describe("selectorString", () => {
  it("writes every operator as kubectl -l reads it", () => {
    expect(
      selectorString({
        matchLabels: { app: "web" },
        matchExpressions: [
          { key: "tier", operator: "In", values: ["a", "b"] },
          { key: "zone", operator: "NotIn", values: ["z"] },
          { key: "gpu", operator: "Exists" },
          { key: "legacy", operator: "DoesNotExist" },
        ],
      }),
    ).toBe("app=web,tier in (a,b),zone notin (z),gpu,!legacy");
  });
});
