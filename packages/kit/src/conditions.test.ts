import { describe, expect, it } from "@jest/globals";
import { setCondition } from "./conditions.ts";

const t0 = new Date("2026-01-01T00:00:00Z");
const t1 = new Date("2026-01-01T00:01:00Z");

describe("setCondition", () => {
  it("adds a condition with the current time", () => {
    expect(setCondition(undefined, { type: "Ready", status: "True", reason: "Ok", message: "" }, t0)).toEqual([
      { type: "Ready", status: "True", reason: "Ok", message: "", lastTransitionTime: t0.toISOString() },
    ]);
  });

  it("keeps lastTransitionTime when only reason or message change", () => {
    const first = setCondition(undefined, { type: "Ready", status: "False", reason: "Unreachable", message: "a" }, t0);
    const next = setCondition(first, { type: "Ready", status: "False", reason: "Unauthorized", message: "b" }, t1);
    expect(next[0]).toMatchObject({ reason: "Unauthorized", message: "b", lastTransitionTime: t0.toISOString() });
  });

  it("moves lastTransitionTime on a status change and leaves other conditions alone", () => {
    const base = setCondition(
      setCondition(undefined, { type: "Ready", status: "False", reason: "X", message: "" }, t0),
      { type: "Synced", status: "True", reason: "Y", message: "" },
      t0,
    );
    const next = setCondition(base, { type: "Ready", status: "True", reason: "Ok", message: "" }, t1);
    expect(next.find((c) => c.type === "Ready")!.lastTransitionTime).toBe(t1.toISOString());
    expect(next.find((c) => c.type === "Synced")).toEqual(base.find((c) => c.type === "Synced"));
    expect(base.find((c) => c.type === "Ready")!.status).toBe("False");
  });
});
