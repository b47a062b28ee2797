import { describe, expect, it } from "@jest/globals";
import { placementEvent } from "./placement-event.ts";

describe("placementEvent", () => {
  it.each([
    ["a first placement", undefined, [{ name: "idc-1", replicas: 16, reason: "idc priority 1" }], "Scheduled", "Placed idc-1: 16"],
    [
      "a loan for a stalled rollout",
      [
        { name: "idc-1", replicas: 16 },
        { name: "cloud-1", replicas: 8 },
      ],
      [
        { name: "idc-1", replicas: 6, reason: "idc priority 1; lent 10 for the rollout: no room here for a surge pod" },
        { name: "cloud-1", replicas: 18, reason: "cloud priority 2; +10 lent by idc-1 for the rollout" },
      ],
      "Lent",
      "idc-1 16→6, cloud-1 8→18: lent 10 for the rollout: no room here for a surge pod; +10 lent by idc-1 for the rollout",
    ],
    [
      "failback home, the cloud member dropped",
      [
        { name: "idc-1", replicas: 6 },
        { name: "cloud-1", replicas: 2 },
      ],
      [{ name: "idc-1", replicas: 8, reason: "idc priority 1; failback: +2 from cloud-1 (room seen for at least 120s)" }],
      "FailedBack",
      "idc-1 6→8, cloud-1 2→0: failback: +2 from cloud-1 (room seen for at least 120s)",
    ],
    [
      "a scale without a note",
      [{ name: "idc-1", replicas: 6 }],
      [{ name: "idc-1", replicas: 7, reason: "idc priority 1" }],
      "Rescheduled",
      "idc-1 6→7",
    ],
  ])("%s", (_name, before, after, reason, note) => {
    expect(placementEvent(before, after)).toEqual({ type: "Normal", reason, note });
  });

  it("says nothing when no member's replicas changed (a reason's wording alone is no move)", () => {
    expect(placementEvent([{ name: "idc-1", replicas: 6, reason: "a" }], [{ name: "idc-1", replicas: 6, reason: "b" }])).toBeUndefined();
    expect(placementEvent(undefined, [])).toBeUndefined();
  });
});
