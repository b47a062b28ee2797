import { describe, expect, it } from "@jest/globals";
import { affectedBy, snapshotDelta, type PlacementSummary } from "./affected.ts";

const rank = (c: string) => ({ "idc-1": 0, "idc-2": 1, "cloud-1": 2 })[c] ?? 99;
const placements: PlacementSummary[] = [
  { key: "a", clusters: { "idc-1": 4 }, unschedulable: 0 },
  { key: "b", clusters: { "idc-2": 2 }, unschedulable: 0 },
  { key: "c", clusters: { "idc-1": 4, "cloud-1": 3 }, unschedulable: 0 },
  { key: "d", clusters: {}, unschedulable: 5 },
];

describe("affectedBy", () => {
  it.each([
    ["idc-1", ["a", "b", "c", "d"]], // b and c may fail back to idc-1; d may fit now
    ["idc-2", ["b", "c", "d"]],
    ["cloud-1", ["c", "d"]], // a and b hold nothing there or below it
  ])("a change in %s re-evaluates %j", (cluster, keys) => {
    expect(affectedBy(cluster, rank, placements)).toEqual(keys);
  });
});

describe("affectedBy with a workload's own tier order", () => {
  it("re-evaluates a cloud-first workload held in IDC when room grows in cloud", () => {
    const cloudFirst = (c: string) => ({ "cloud-1": 0, "idc-1": 1, "idc-2": 2 })[c] ?? 99;
    const held: PlacementSummary[] = [{ key: "e", clusters: { "idc-1": 3 }, unschedulable: 0, rankOf: cloudFirst }];
    expect(affectedBy("cloud-1", rank, held, { workloads: new Set(), roomGrew: true })).toEqual(["e"]);
    // By the fleet's IDC-first ranking it would have been missed.
    expect(affectedBy("cloud-1", rank, [{ ...held[0]!, rankOf: undefined }], { workloads: new Set(), roomGrew: true })).toEqual([]);
  });
});

describe("affectedBy with a snapshot delta", () => {
  it("re-evaluates only workloads whose pods changed there when no room appeared", () => {
    expect(affectedBy("idc-1", rank, placements, { workloads: new Set(["a"]), roomGrew: false })).toEqual(["a"]);
  });
  it("adds waiting and failback candidates when room grew", () => {
    expect(affectedBy("idc-1", rank, placements, { workloads: new Set(), roomGrew: true })).toEqual(["b", "c", "d"]);
  });
  it("derives the delta from two snapshots", () => {
    const room = (cpu: number) => new Map([["n1", { cpu }]]);
    const owners = (n: number) => new Map([["shop/ReplicaSet/web-abc", n]]);
    const of = (k: string) => (k.startsWith("shop/ReplicaSet/web-") ? "shop/web" : undefined);
    expect(snapshotDelta({ room: room(4000), owners: owners(2) }, { room: room(3000), owners: owners(3) }, of)).toEqual({
      workloads: new Set(["shop/web"]),
      roomGrew: false,
    });
    expect(snapshotDelta({ room: room(3000), owners: owners(3) }, { room: room(4000), owners: owners(3) }, of)).toEqual({
      workloads: new Set(),
      roomGrew: true,
    });
  });
});

describe("affectedBy while a workload rolls out", () => {
  it("re-evaluates a rolling workload on any change of any member: its published room may have changed", () => {
    const rolling: PlacementSummary = { key: "r", clusters: { "idc-1": 4 }, unschedulable: 0, rolling: true };
    // Room shrank in cloud-1 through someone else's pods: nothing else would look again.
    expect(affectedBy("cloud-1", rank, [rolling], { workloads: new Set(["other"]), roomGrew: false })).toEqual(["r"]);
    expect(affectedBy("cloud-1", rank, [{ ...rolling, rolling: false }], { workloads: new Set(["other"]), roomGrew: false })).toEqual([]);
  });
});
