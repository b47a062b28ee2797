import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { bytes, milliCpu, parseQuantity } from "./quantity.ts";

describe("quantities", () => {
  it.each<[string | number, number]>([
    ["1", 1000],
    ["100m", 100],
    ["0.1", 100],
    ["1.5", 1500],
    ["250m", 250],
    ["0.1m", 1],
    ["2k", 2_000_000],
    ["1e3", 1_000_000],
    [4, 4000],
  ])("cpu %j is %i millicores", (q, m) => expect(milliCpu(q)).toBe(m));

  it.each<[string, number]>([
    ["64Gi", 64 * 2 ** 30],
    ["512Mi", 512 * 2 ** 20],
    ["1G", 1e9],
    ["1.5Gi", 1.5 * 2 ** 30],
    ["123", 123],
    ["1k", 1000],
    ["1Ki", 1024],
  ])("memory %s is %i bytes", (q, b) => expect(bytes(q)).toBe(b));

  it.each(["", "abc", "1.2.3", "10Gb", "--1", "1 Gi"])("rejects %j naming it", (q) => {
    expect(() => parseQuantity(q)).toThrow(`invalid quantity ${JSON.stringify(q)}`);
  });

  it("reads back what it would write: n millicores as `${n}m` (property)", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 1e9 }), (n) => expect(milliCpu(`${n}m`)).toBe(n)));
  });
});
