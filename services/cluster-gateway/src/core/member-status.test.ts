import { describe, expect, it } from "@jest/globals";
import { CAPACITY_REFRESH_MS, capacityHoldMs, memberEvents, memberStatus, readyEvent, type MemberObservation } from "./member-status.ts";
import { defaultHealthConfig, initialHealth, observeProbe } from "./health.ts";

const healthy = observeProbe(initialHealth(0), { ok: true }, 0);
const totals = {
  nodeCount: 4,
  allocatable: { cpu: 64000, memory: 256 * 2 ** 30, "nvidia.com/gpu": 8, pods: 440 },
  requested: { cpu: 6500, memory: 2 ** 30 },
};
const base: MemberObservation = {
  generation: 2,
  previous: undefined,
  health: healthy,
  kubernetesVersion: "v1.34.4",
  totals,
  synced: true,
  nowIso: "2026-11-23T10:00:00.000Z",
};

describe("memberStatus", () => {
  it("reports a healthy, synced member Ready with its capacity", () => {
    expect(memberStatus(base)).toEqual({
      observedGeneration: 2,
      kubernetesVersion: "v1.34.4",
      nodeCount: 4,
      allocatable: { cpu: "64", memory: "256Gi", "ephemeral-storage": "0", "nvidia.com/gpu": "8" },
      requested: { cpu: "6500m", memory: "1Gi", "ephemeral-storage": "0", "nvidia.com/gpu": "0" },
      conditions: [
        {
          type: "Ready",
          status: "True",
          reason: "Ready",
          message: "kube-apiserver /readyz answers ok",
          observedGeneration: 2,
          lastTransitionTime: base.nowIso,
        },
      ],
    });
  });

  it("reports an invalid kubeconfig with its reason, and keeps the other fields", () => {
    const s = memberStatus({
      ...base,
      configError: { reason: "KubeconfigInvalid", message: "Secret spillway-system/x has no key kubeconfig" },
    });
    expect(s.conditions![0]).toMatchObject({
      status: "False",
      reason: "KubeconfigInvalid",
      message: "Secret spillway-system/x has no key kubeconfig",
    });
    expect(s.nodeCount).toBeUndefined();
  });

  it("keeps lastTransitionTime while the status holds and keeps last known capacity while unreachable", () => {
    const first = memberStatus(base);
    const later = memberStatus({ ...base, previous: first, nowIso: "2026-11-23T11:00:00.000Z" });
    expect(later).toEqual(first);
    let down = healthy;
    for (let i = 0; i < 3; i++) down = observeProbe(down, { ok: false, reason: "Unreachable", message: "cannot reach" }, 1000 * (i + 1));
    const unreachable = memberStatus({ ...base, previous: first, health: down, nowIso: "2026-11-23T12:00:00.000Z" });
    expect(unreachable.conditions![0]).toMatchObject({
      status: "False",
      reason: "Unreachable",
      lastTransitionTime: "2026-11-23T12:00:00.000Z",
    });
    expect(unreachable.allocatable).toEqual(first.allocatable);
  });

  it("is not Ready before the first probe or while the caches are still listing", () => {
    expect(memberStatus({ ...base, health: initialHealth(0) }).conditions![0]!.status).toBe("Unknown");
    expect(memberStatus({ ...base, synced: false }).conditions![0]).toMatchObject({ status: "False", reason: "Syncing" });
  });
});

describe("readyEvent", () => {
  const status = (s: "True" | "False" | "Unknown", reason = "Ready", message = "") => ({
    conditions: [{ type: "Ready", status: s, reason, message, lastTransitionTime: "2026-12-04T00:00:00Z" }],
  });
  it.each([
    ["first probe pending", undefined, status("Unknown", "Probing"), undefined],
    [
      "becomes Ready",
      status("Unknown", "Probing"),
      status("True", "Ready", "healthz ok"),
      { type: "Normal", reason: "MemberReady", note: "Ready: healthz ok" },
    ],
    [
      "goes not Ready",
      status("True"),
      status("False", "Unreachable", "dial tcp: connection refused"),
      { type: "Warning", reason: "MemberNotReady", note: "Unreachable: dial tcp: connection refused" },
    ],
    ["stays not Ready (another reason)", status("False", "Unreachable"), status("False", "Syncing"), undefined],
    [
      "unusable from the start",
      status("Unknown", "Probing"),
      status("False", "KubeconfigInvalid", "no server"),
      { type: "Warning", reason: "MemberNotReady", note: "KubeconfigInvalid: no server" },
    ],
    ["listing after the first probe", status("Unknown", "Probing"), status("False", "Syncing"), undefined],
    ["stays Ready", status("True"), status("True"), undefined],
  ] as const)("%s", (_n, before, after, event) => {
    expect(readyEvent(before, after)).toEqual(event);
  });
});

describe("fencing", () => {
  const observation: MemberObservation = {
    generation: 2,
    previous: undefined,
    health: healthy,
    synced: true,
    nowIso: "2026-12-04T00:00:00Z",
  };
  it("shows a Fenced condition while spec.fenced holds, says so once as a warning, and once when cleared", () => {
    const before = memberStatus(observation);
    expect(before.conditions!.map((c) => c.type)).toEqual(["Ready"]);
    const fenced = memberStatus({ ...observation, previous: before, fenced: true, nowIso: "2026-12-04T00:01:00Z" });
    expect(fenced.conditions!.find((c) => c.type === "Fenced")).toMatchObject({
      status: "True",
      reason: "FencedByOperator",
      lastTransitionTime: "2026-12-04T00:01:00Z",
    });
    expect(memberEvents(before, fenced).map((e) => [e.type, e.reason])).toEqual([["Warning", "Fenced"]]);
    // Still fenced: the condition keeps its transition time, and nothing new is said.
    const again = memberStatus({ ...observation, previous: fenced, fenced: true, nowIso: "2026-12-04T00:02:00Z" });
    expect(again.conditions!.find((c) => c.type === "Fenced")!.lastTransitionTime).toBe("2026-12-04T00:01:00Z");
    expect(memberEvents(fenced, again)).toEqual([]);
    const cleared = memberStatus({ ...observation, previous: again, fenced: false });
    expect(cleared.conditions!.map((c) => c.type)).toEqual(["Ready"]);
    expect(memberEvents(again, cleared).map((e) => [e.type, e.reason])).toEqual([["Normal", "Unfenced"]]);
  });
});

describe("capacityHoldMs", () => {
  const written = memberStatus(base);
  const morePods = memberStatus({ ...base, previous: written, totals: { ...totals, requested: { cpu: 7000, memory: 2 ** 30 } } });
  const notReady = memberStatus({
    ...base,
    previous: written,
    health: observeProbe(healthy, { ok: false, reason: "Unreachable", message: "connection refused" }, 1, {
      ...defaultHealthConfig,
      failureThreshold: 1,
    }),
  });
  const after = (ms: number) => capacityHoldMs(written, morePods, 10_000, 10_000 + ms);

  it.each([
    ["holds a change of the capacity figures alone until the refresh interval since the last write", after(500), CAPACITY_REFRESH_MS - 500],
    ["writes it once the interval has passed", after(CAPACITY_REFRESH_MS), 0],
    ["writes it at once when this process has written nothing yet (a restart)", capacityHoldMs(written, morePods, undefined, 10_000), 0],
    ["never holds the member's Ready turning", capacityHoldMs(written, notReady, 10_000, 10_001), 0],
    ["never holds the first status", capacityHoldMs(undefined, written, 10_000, 10_001), 0],
    ["has nothing to hold when nothing changed", capacityHoldMs(written, written, 10_000, 10_001), 0],
  ])("%s", (_what, held, expected) => {
    expect(held).toBe(expected);
  });
});
