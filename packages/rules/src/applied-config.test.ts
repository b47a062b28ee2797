import { describe, expect, it } from "@jest/globals";
import { appliedIn } from "./applied-config.ts";

const live = {
  metadata: { labels: { a: "1", other: "x" }, annotations: { h: "abc" }, managedFields: [{}] },
  spec: { replicas: 3, strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: "0" } }, revisionHistoryLimit: 10 },
  status: { replicas: 3 },
};

describe("appliedIn", () => {
  it.each([
    ["fields the server added do not count", { metadata: { labels: { a: "1" } }, spec: { replicas: 3 } }, true],
    ["a changed value counts", { spec: { replicas: 4 } }, false],
    ["a missing field counts", { spec: { minReadySeconds: 5 } }, false],
    ["a zero value matches an omitted field", { spec: { paused: false, minReadySeconds: 0 } }, true],
    ["int-or-string of the same value matches", { spec: { strategy: { rollingUpdate: { maxSurge: "1", maxUnavailable: 0 } } } }, true],
    ["a changed label counts", { metadata: { labels: { a: "2" } } }, false],
    ["arrays compare by position and length", { list: [1, 2] }, false],
  ])("%s", (_n, desired, want) => {
    expect(appliedIn(desired, live)).toBe(want);
  });

  it("compares arrays element by element", () => {
    expect(appliedIn({ c: [{ name: "a" }] }, { c: [{ name: "a", image: "x" }] })).toBe(true);
    expect(appliedIn({ c: [{ name: "a" }] }, { c: [{ name: "a" }, { name: "b" }] })).toBe(false);
  });
});
