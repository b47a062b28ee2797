import { describe, expect, it } from "@jest/globals";
import { KubeConfig, type EventsV1Event } from "@kubernetes/client-node";
import { EventRecorder, type EventSink } from "./event-recorder.ts";
import { until } from "./testing/until.ts";

const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "web-0", namespace: "shop", uid: "u1" } };

function recorder(opts: { flushMs?: number; seriesMs?: number } = {}) {
  let now = 1_000_000;
  const created: EventsV1Event[] = [];
  const series: Array<{ name: string; count: number; lastObservedTime: Date }> = [];
  const sink: EventSink = {
    create: async (_ns, e) => void created.push(e),
    series: async (_ns, name, s) => void series.push({ name, ...s }),
  };
  const r = new EventRecorder(new KubeConfig(), "test", "i", { sink, now: () => now, flushMs: 30_000, seriesMs: 360_000, ...opts });
  return { r, created, series, advance: (ms: number) => (now += ms) };
}

describe("EventRecorder folds repeats into a series as client-go does", () => {
  it("creates the first occurrence and counts repeats on the same Event", async () => {
    const t = recorder();
    await t.r.record(pod, "Warning", "FailedWrite", "idc-1: refused");
    expect(t.created).toHaveLength(1);
    expect(t.created[0]).toMatchObject({ reason: "FailedWrite", note: "idc-1: refused", type: "Warning", regarding: { uid: "u1" } });
    t.advance(1_000);
    await t.r.record(pod, "Warning", "FailedWrite", "idc-1: refused");
    // The second occurrence makes it a series at once.
    expect(t.created).toHaveLength(1);
    expect(t.series).toEqual([{ name: t.created[0]!.metadata!.name, count: 2, lastObservedTime: new Date(1_001_000) }]);
    // Later ones are written at most every flushMs, with the count they reached.
    for (let i = 0; i < 3; i++) {
      t.advance(1_000);
      await t.r.record(pod, "Warning", "FailedWrite", "idc-1: refused");
    }
    expect(t.series).toHaveLength(1);
    t.advance(30_000);
    await t.r.record(pod, "Warning", "FailedWrite", "idc-1: refused");
    expect(t.series.at(-1)).toMatchObject({ count: 6, lastObservedTime: new Date(1_034_000) });
    expect(t.created).toHaveLength(1);
  });

  it("keeps different notes, reasons and objects apart", async () => {
    const t = recorder();
    await t.r.record(pod, "Normal", "ScalingMember", "Scaled up idc-1 from 1 to 2");
    await t.r.record(pod, "Normal", "ScalingMember", "Scaled up idc-1 from 2 to 3");
    await t.r.record(pod, "Normal", "Other", "Scaled up idc-1 from 2 to 3");
    await t.r.record({ ...pod, metadata: { ...pod.metadata, uid: "u2" } }, "Normal", "Other", "Scaled up idc-1 from 2 to 3");
    expect(t.created).toHaveLength(4);
    expect(t.series).toEqual([]);
  });

  it("starts a new Event once a series saw no repeat for seriesMs, and puts a cluster-scoped object's in default", async () => {
    const t = recorder();
    const member = { apiVersion: "spillway.dev/v1alpha1", kind: "MemberCluster", metadata: { name: "idc-1", uid: "m1" } };
    await t.r.record(member, "Warning", "MemberNotReady", "probe failed");
    t.advance(360_000);
    await t.r.record(member, "Warning", "MemberNotReady", "probe failed");
    expect(t.created).toHaveLength(2);
    expect(t.created.map((e) => e.metadata?.namespace)).toEqual(["default", "default"]);
    expect(t.created[0]!.metadata!.name).not.toBe(t.created[1]!.metadata!.name);
  });

  it("a failed create is not counted on: the next occurrence creates the Event", async () => {
    const errors: unknown[] = [];
    let fail = true;
    const created: EventsV1Event[] = [];
    const r = new EventRecorder(new KubeConfig(), "test", "i", {
      onError: (e) => errors.push(e),
      sink: {
        create: async (_ns, e) => {
          if (fail) throw Object.assign(new Error("forbidden"), { code: 403 });
          created.push(e);
        },
        series: async () => undefined,
      },
    });
    await r.record(pod, "Warning", "X", "y");
    fail = false;
    await r.record(pod, "Warning", "X", "y");
    expect(errors).toHaveLength(1);
    expect(created).toHaveLength(1);
  });
});

describe("EventRecorder retries a create the server could not take, as client-go does", () => {
  const throttled = () => Object.assign(new Error("Too Many Requests"), { code: 429 });
  function flaky(failures: Array<Error | undefined>) {
    const created: EventsV1Event[] = [];
    const series: number[] = [];
    const errors: unknown[] = [];
    let tries = 0;
    const r = new EventRecorder(new KubeConfig(), "test", "i", {
      onError: (e) => errors.push(e),
      retryMs: 5,
      random: () => 0.5,
      sink: {
        create: async (_ns, e) => {
          const failure = failures[tries++];
          if (failure) throw failure;
          created.push(e);
        },
        series: async (_ns, _name, s) => void series.push(s.count),
      },
    });
    return { r, created, series, errors, tries: () => tries };
  }

  it("creates the Event in the background after a 429, with the repeats counted meanwhile", async () => {
    const t = flaky([throttled(), new Error("socket hang up")]);
    await t.r.record(pod, "Warning", "X", "y");
    expect(t.created).toHaveLength(0);
    await t.r.record(pod, "Warning", "X", "y");
    await until(() => t.created.length === 1 && t.series.length === 1, "created on the third try, then the repeat written");
    expect(t.tries()).toBe(3);
    expect(t.series).toEqual([2]);
    expect(t.errors).toHaveLength(0);
  });

  it("gives up after 12 tries, tells once, and the next occurrence starts anew", async () => {
    const t = flaky(Array.from({ length: 12 }, throttled));
    await t.r.record(pod, "Warning", "X", "y");
    await until(() => t.errors.length === 1, "given up");
    expect(t.tries()).toBe(12);
    await t.r.record(pod, "Warning", "X", "y");
    expect(t.created).toHaveLength(1);
  });

  it("takes 409 on a retry as created (an earlier try's answer was lost)", async () => {
    const t = flaky([Object.assign(new Error("Gateway Timeout"), { code: 504 }), Object.assign(new Error("AlreadyExists"), { code: 409 })]);
    await t.r.record(pod, "Warning", "X", "y");
    await t.r.record(pod, "Warning", "X", "y");
    await until(() => t.series.length === 1, "the repeat written on the Event the lost answer made");
    expect(t.errors).toHaveLength(0);
    expect(t.tries()).toBe(2);
  });
});
