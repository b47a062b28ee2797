/**
 * How the gateway's watches of each member are doing, per member and resource: the gateway's view
 * of a member (its snapshots, the fleet API) is only as current as these watches, and a member's
 * API server that cannot keep up ends them as unresponsive. Rates of ends by reason, events, and
 * the age of the last event tell a view that falls behind from one that is merely quiet; the
 * objects held can be set against the member's own count.
 */
import type { ObjectGauge } from "@spillway/rules";

/** What the gauges read of a watch (the kit's informer stats have this shape). */
export interface WatchCounts {
  objects: number;
  events: number;
  lists: number;
  closed: number;
  idle: number;
  expired: number;
  failures: number;
  lastEventMs: number;
}

export interface MemberWatch {
  cluster: string;
  resource: string;
  stats: WatchCounts;
}

/** Each way a watch ends: its count's field, and its `reason` label. */
const ENDS = [
  ["closed", "closed"],
  ["idle", "idle"],
  ["expired", "expired"],
  ["failures", "failed"],
] as const;

export function memberWatchGauges(list: () => readonly MemberWatch[]): ObjectGauge[] {
  const per = (value: (s: WatchCounts) => number) => () =>
    list().map((w) => ({ value: value(w.stats), labels: { cluster: w.cluster, resource: w.resource } }));
  return [
    {
      name: "spillway_gateway_member_objects",
      description: "Objects of the member the gateway's watch holds, by resource",
      samples: per((s) => s.objects),
    },
    {
      name: "spillway_gateway_member_watch_events",
      description: "Change events received from the member's watch, by resource",
      samples: per((s) => s.events),
      monotonic: true,
    },
    {
      name: "spillway_gateway_member_lists",
      description: "Complete lists of the member's objects (the first, and a relist after 410 Gone or a failure)",
      samples: per((s) => s.lists),
      monotonic: true,
    },
    {
      name: "spillway_gateway_member_watch_ends",
      description:
        "Member watches ended, by reason: closed by the server (its timeout, or as unresponsive), idle (no data for 30 s), expired (410 Gone, relisted), failed (retried with backoff)",
      samples: () =>
        list().flatMap((w) =>
          ENDS.map(([field, reason]) => ({ value: w.stats[field], labels: { cluster: w.cluster, resource: w.resource, reason } })),
        ),
      monotonic: true,
    },
    {
      name: "spillway_gateway_member_watch_last_event_timestamp_seconds",
      description: "When the member's watch last delivered a change (Unix seconds; 0 before the first)",
      samples: per((s) => s.lastEventMs / 1000),
    },
  ];
}
