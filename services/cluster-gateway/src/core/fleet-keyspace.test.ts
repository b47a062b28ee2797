import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { CompactedError, FleetKeyspace, FutureRevisionError, prefixEnd } from "./fleet-keyspace.ts";

/** A clock that stands still unless moved, so revisions are predictable. */
function keyspace(windowSize = 100, start = 1_000) {
  let now = start;
  const ks = new FleetKeyspace({ clockMicros: () => now, windowSize });
  return { ks, tick: (us: number) => (now += us) };
}

const all = (ks: FleetKeyspace, revision = 0) =>
  Object.fromEntries(ks.range("/", { end: prefixEnd("/"), revision }).kvs.map((kv) => [kv.key, kv.value]));

describe("FleetKeyspace", () => {
  it("gives every change the next revision, never behind the clock, and skips no-op writes", () => {
    const { ks, tick } = keyspace();
    expect(ks.revision).toBe(1_000);
    expect(ks.put("/a", "1")!.revision).toBe(1_001);
    expect(ks.put("/a", "1")).toBeUndefined();
    tick(500);
    expect(ks.put("/b", "1")!.revision).toBe(1_500);
    expect(ks.put("/a", "2")!.revision).toBe(1_501);
    const a = ks.get("/a")!;
    expect(a).toMatchObject({ createRevision: 1_001, modRevision: 1_501, version: 2, value: "2" });
    expect(ks.delete("/a")!.prev).toEqual(a);
    expect(ks.delete("/a")).toBeUndefined();
  });

  it("a restarted keyspace starts after the last one's revisions, because they follow the clock", () => {
    const { ks, tick } = keyspace();
    ks.put("/a", "1");
    tick(10);
    const again = new FleetKeyspace({ clockMicros: () => 1_010, windowSize: 10 });
    expect(again.revision).toBeGreaterThan(ks.revision - 1);
  });

  it("ranges a prefix in key order with limit, more and the full count", () => {
    const { ks } = keyspace();
    for (const k of ["/r/pods/b/x", "/r/pods/a/y", "/r/pods/a/x", "/r/podsx", "/r/nodes/n"]) ks.put(k, k);
    const page = ks.range("/r/pods/", { end: prefixEnd("/r/pods/"), limit: 2 });
    expect(page.kvs.map((kv) => kv.key)).toEqual(["/r/pods/a/x", "/r/pods/a/y"]);
    expect(page).toMatchObject({ more: true, count: 3 });
    const rest = ks.range("/r/pods/a/y\0", { end: prefixEnd("/r/pods/"), limit: 2 });
    expect(rest.kvs.map((kv) => kv.key)).toEqual(["/r/pods/b/x"]);
    expect(rest.more).toBe(false);
    expect(ks.range("/r/pods/", { end: prefixEnd("/r/pods/"), countOnly: true })).toMatchObject({ kvs: [], count: 3, more: false });
  });

  it("reads at a past revision inside the window, and refuses what fell out of it or is in the future", () => {
    const { ks } = keyspace(3);
    const r1 = ks.put("/a", "1")!.revision;
    ks.put("/b", "1");
    ks.put("/a", "2");
    ks.delete("/b");
    // The window holds the last three changes: the state after the first is still known.
    expect(() => ks.range("/a", { revision: r1 - 1 })).toThrow(CompactedError);
    expect(all(ks, r1)).toEqual({ "/a": "1" });
    expect(all(ks, r1 + 1)).toEqual({ "/a": "1", "/b": "1" });
    expect(all(ks)).toEqual({ "/a": "2" });
    expect(() => ks.range("/a", { revision: ks.revision + 1 })).toThrow(FutureRevisionError);
  });

  it("hands out changes from a start revision, and answers compacted before the window", () => {
    const { ks } = keyspace(2);
    const c1 = ks.put("/a", "1")!;
    const c2 = ks.put("/b", "1")!;
    const c3 = ks.put("/a", "2")!;
    expect(ks.changesSince(c2.revision, "/", prefixEnd("/"))).toEqual([c2, c3]);
    expect(ks.changesSince(c2.revision, "/a", undefined)).toEqual([c3]);
    expect(ks.changesSince(0, "/", prefixEnd("/"))).toEqual([]);
    expect(() => ks.changesSince(c1.revision, "/", prefixEnd("/"))).toThrow(CompactedError);
    try {
      ks.changesSince(c1.revision, "/", prefixEnd("/"));
    } catch (err) {
      expect((err as CompactedError).compactRevision).toBe(c2.revision);
    }
  });

  it("compacts when asked, as etcd does: history before the revision is gone, the present stays", () => {
    const { ks } = keyspace();
    const c1 = ks.put("/a", "1")!;
    const c2 = ks.put("/b", "1")!;
    const c3 = ks.put("/a", "2")!;
    const before = ks.bytes;
    ks.compact(c2.revision);
    expect(ks.compactRevision).toBe(c2.revision);
    expect(ks.changesSince(c2.revision, "/", prefixEnd("/"))).toEqual([c2, c3]);
    expect(() => ks.changesSince(c1.revision, "/", prefixEnd("/"))).toThrow(CompactedError);
    expect(all(ks)).toEqual({ "/a": "2", "/b": "1" });
    expect(ks.bytes).toBeLessThan(before);
    expect(() => ks.compact(c2.revision)).toThrow(CompactedError);
    expect(() => ks.compact(ks.revision + 1)).toThrow(FutureRevisionError);
  });

  it("tells subscribers every change, in revision order", () => {
    const { ks } = keyspace();
    const seen: number[] = [];
    const stop = ks.subscribe((c) => seen.push(c.revision));
    ks.put("/a", "1");
    ks.delete("/a");
    stop();
    ks.put("/a", "2");
    expect(seen).toEqual([1_001, 1_002]);
  });

  // What watch resume and paged lists rely on: the state read at any revision in the window is
  // the state that was current then, and replaying the changes after it gives today's.
  it("reads at a past revision equal the state at that revision; replay from it gives the present", () => {
    const op = fc.record({ key: fc.constantFrom("/k/a", "/k/b", "/k/c", "/k/d"), value: fc.option(fc.constantFrom("1", "2", "3")) });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), fc.integer({ min: 1, max: 40 }), (ops, windowSize) => {
        const { ks, tick } = keyspace(windowSize);
        const states: Array<[number, Record<string, string>]> = [[ks.revision, {}]];
        for (const o of ops) {
          tick(o.key.length % 3);
          if (o.value === null) ks.delete(o.key);
          else ks.put(o.key, o.value);
          states.push([ks.revision, all(ks)]);
          // The size etcd's Status reports, kept as changes come and go, equals a recount.
          const held = Object.entries(all(ks)).reduce((n, [k, v]) => n + k.length + v.length, 0);
          const windowed = ks
            .changesSince(ks.compactRevision, "/", prefixEnd("/"))
            .reduce((n, c) => n + c.key.length + (c.kv?.value.length ?? 0), 0);
          expect(ks.bytes).toBe(held + windowed);
        }
        for (const [revision, state] of states) {
          if (revision < ks.compactRevision - 1) {
            expect(() => all(ks, revision)).toThrow(CompactedError);
            continue;
          }
          expect(all(ks, revision)).toEqual(state);
          const replayed = { ...state };
          for (const c of ks.changesSince(revision + 1, "/", prefixEnd("/"))) {
            if (c.kv) replayed[c.key] = c.kv.value;
            else delete replayed[c.key];
          }
          expect(replayed).toEqual(all(ks));
        }
      }),
      { numRuns: 300 },
    );
  });
});
