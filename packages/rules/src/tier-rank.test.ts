import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { compareRank, rankOf, type RankedMember } from "./tier-rank.ts";

const fleet: RankedMember[] = [
  { name: "cloud-1", tier: "cloud", priority: 10 },
  { name: "idc-2", tier: "idc", priority: 20 },
  { name: "idc-1", tier: "idc", priority: 20 },
  { name: "idc-0", tier: "idc", priority: 5 },
];

const order = (members: RankedMember[], tierOrder?: Array<"idc" | "cloud">) => {
  const r = rankOf(members, tierOrder);
  return [...members].sort((a, b) => r(a.name) - r(b.name)).map((m) => m.name);
};

describe("rankOf", () => {
  it("fills IDC first, then by priority, then by name", () => {
    expect(order(fleet)).toEqual(["idc-0", "idc-1", "idc-2", "cloud-1"]);
  });

  it("honours a workload's tierOrder override", () => {
    expect(order(fleet, ["cloud", "idc"])).toEqual(["cloud-1", "idc-0", "idc-1", "idc-2"]);
  });

  it("ranks a name it does not know after every member", () => {
    expect(rankOf(fleet)("gone")).toBe(fleet.length);
  });

  it("is a total order: antisymmetric and independent of input order", () => {
    const member = fc.record({
      name: fc.string({ minLength: 1, maxLength: 4 }),
      tier: fc.constantFrom("idc" as const, "cloud" as const),
      priority: fc.integer({ min: 0, max: 3 }),
    });
    fc.assert(
      fc.property(fc.uniqueArray(member, { selector: (m) => m.name, maxLength: 8 }), fc.boolean(), (ms, flip) => {
        const tierOrder = flip ? (["cloud", "idc"] as const) : undefined;
        for (const a of ms)
          for (const b of ms) expect(Math.sign(compareRank(a, b, tierOrder)) + Math.sign(compareRank(b, a, tierOrder))).toBe(0);
        expect(order([...ms].reverse(), tierOrder && [...tierOrder])).toEqual(order(ms, tierOrder && [...tierOrder]));
      }),
    );
  });
});
