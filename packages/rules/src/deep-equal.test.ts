import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { deepEqual } from "./deep-equal.ts";

describe("deepEqual", () => {
  it.each([
    [{ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 }, true],
    [{ a: 1 }, { a: 1, b: undefined }, true],
    [{ a: [1, 2] }, { a: [2, 1] }, false],
    [[], {}, false],
    [null, {}, false],
    ["1", 1, false],
  ])("%j vs %j → %s", (a, b, expected) => {
    expect(deepEqual(a, b)).toBe(expected);
  });

  it("agrees with a JSON round trip (property)", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(deepEqual(v, JSON.parse(JSON.stringify(v)))).toBe(true);
      }),
    );
  });
});
