import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { RevisionLog } from "./revision-log.ts";

const entry = (revision: number) => ({ revision });
const revisions = (it: Iterable<{ revision: number }>) => [...it].map((e) => e.revision);

describe("RevisionLog", () => {
  it("keeps entries oldest first and drops from the front", () => {
    const log = new RevisionLog<{ revision: number }>();
    for (const r of [10, 20, 30, 40]) log.push(entry(r));
    expect(revisions(log.dropOldest(3))).toEqual([10, 20, 30]);
    log.push(entry(50));
    expect([log.length, log.at(0)?.revision, log.at(1)?.revision, log.at(2)]).toEqual([2, 40, 50, undefined]);
    expect(revisions(log.dropOldest(5))).toEqual([40, 50]);
    expect(log.length).toBe(0);
    expect(log.dropOldest(1)).toEqual([]);
  });

  it.each([
    [5, 0, [10, 20, 30]],
    [10, 1, [20, 30]],
    [25, 2, [30]],
    [30, 3, []],
  ])("after revision %i: %i entries at or below it, then %j", (revision, through, after) => {
    const log = new RevisionLog<{ revision: number }>();
    for (const r of [10, 20, 30]) log.push(entry(r));
    expect(log.countThrough(revision)).toBe(through);
    expect(revisions(log.after(revision))).toEqual(after);
    expect(revisions(log.newestAbove(revision))).toEqual([...after].reverse());
  });

  // The head index and the occasional copy are invisible: the log answers as a plain array would.
  it("answers as an array that shifts on every drop, through any mix of pushes and drops", () => {
    const op = fc.oneof(fc.record({ push: fc.integer({ min: 1, max: 3 }) }), fc.record({ drop: fc.integer({ min: 0, max: 6 }) }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), fc.integer({ min: 0, max: 400 }), (ops, probe) => {
        const log = new RevisionLog<{ revision: number }>();
        const model: number[] = [];
        let next = 0;
        for (const o of ops) {
          if ("push" in o) {
            next += o.push;
            log.push(entry(next));
            model.push(next);
          } else {
            expect(revisions(log.dropOldest(o.drop))).toEqual(model.splice(0, o.drop));
          }
          expect(log.length).toBe(model.length);
          expect(log.at(0)?.revision).toBe(model[0]);
        }
        const through = model.filter((r) => r <= probe);
        expect(log.countThrough(probe)).toBe(through.length);
        expect(revisions(log.after(probe))).toEqual(model.slice(through.length));
        expect(revisions(log.newestAbove(probe))).toEqual(model.slice(through.length).reverse());
      }),
      { numRuns: 300 },
    );
  });
});
