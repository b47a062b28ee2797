import { describe, expect, it } from "@jest/globals";
import { memberWatchGauges, type MemberWatch, type WatchCounts } from "./member-watch-gauges.ts";

const none: WatchCounts = { objects: 0, events: 0, lists: 0, closed: 0, idle: 0, expired: 0, failures: 0, lastEventMs: 0 };

const watches: MemberWatch[] = [
  {
    cluster: "idc-1",
    resource: "pods",
    stats: {
      ...none,
      objects: 33_333,
      events: 40_100,
      lists: 2,
      closed: 82,
      idle: 1,
      expired: 1,
      failures: 3,
      lastEventMs: 1_765_000_000_500,
    },
  },
  { cluster: "cloud-1", resource: "nodes", stats: { ...none, objects: 8 } },
];
const gauge = (name: string) => memberWatchGauges(() => watches).find((g) => g.name === name)!;

describe("memberWatchGauges", () => {
  it("gives each member's objects held and events received per resource; totals are counters", () => {
    expect([...gauge("spillway_gateway_member_objects").samples()]).toEqual([
      { value: 33_333, labels: { cluster: "idc-1", resource: "pods" } },
      { value: 8, labels: { cluster: "cloud-1", resource: "nodes" } },
    ]);
    expect(gauge("spillway_gateway_member_objects").monotonic).toBeFalsy();
    expect(gauge("spillway_gateway_member_watch_events").monotonic).toBe(true);
    expect([...gauge("spillway_gateway_member_lists").samples()][0]).toEqual({ value: 2, labels: { cluster: "idc-1", resource: "pods" } });
  });

  it("counts a watch's ends by reason, each reason its own series", () => {
    const ends = [...gauge("spillway_gateway_member_watch_ends").samples()].filter((s) => s.labels.cluster === "idc-1");
    expect(Object.fromEntries(ends.map((s) => [s.labels.reason, s.value]))).toEqual({ closed: 82, idle: 1, expired: 1, failed: 3 });
  });

  it("gives the last event's time in Unix seconds, 0 before any", () => {
    expect([...gauge("spillway_gateway_member_watch_last_event_timestamp_seconds").samples()].map((s) => s.value)).toEqual([
      1_765_000_000.5, 0,
    ]);
  });
});
