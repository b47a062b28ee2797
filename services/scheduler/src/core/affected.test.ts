import { describe, expect, it } from "@jest/globals";
import { affectedBy, type PlacementSummary } from "./affected.ts";

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
