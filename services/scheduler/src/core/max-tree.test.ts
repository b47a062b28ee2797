import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { MaxTree } from "./max-tree.ts";

describe("MaxTree", () => {
  it("finds the first index at or after `from` with a value at least `need`, as a linear scan does (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -1, max: 100 }), { minLength: 1, maxLength: 70 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: -1, max: 100 })), { maxLength: 20 }),
        fc.nat(),
        fc.integer({ min: 0, max: 100 }),
        (values, updates, from, need) => {
          const tree = new MaxTree(values);
          const ref = [...values];
          for (const [i, v] of updates) {
            tree.update(i % ref.length, v);
            ref[i % ref.length] = v;
          }
          const start = from % (ref.length + 1);
          const expected = ref.findIndex((v, i) => i >= start && v >= need);
          expect(tree.firstAtLeast(start, need)).toBe(expected);
          expect(tree.max).toBe(Math.max(...ref));
        },
      ),
    );
  });
});
