import { describe, expect, it } from "@jest/globals";
import { fleetStatus, type MemberStatus } from "./fleet-status.ts";

const m = (name: string, n: number, extra: Partial<MemberStatus> = {}): MemberStatus => ({
  name,
  reachable: true,
  exists: true,
  current: true,
  replicas: n,
  updated: n,
  ready: n,
  available: n,
  deadlineExceeded: false,
  ...extra,
});
const budget = { total: 24, surge: 6, unavailable: 6 };
const selector = { matchLabels: { app: "web" } };
const status = (members: MemberStatus[], extra: { paused?: boolean; previousObserved?: number; desired?: number } = {}) =>
  fleetStatus({
    generation: 3,
    previousObserved: extra.previousObserved ?? 2,
    members,
    budget,
    desired: extra.desired ?? 24,
    paused: extra.paused ?? false,
    selector,
  });
const cond = (s: ReturnType<typeof status>, type: string) => s.conditions.find((c) => c.type === type)!;

describe("fleetStatus", () => {
  it("sums the members as one Deployment would report, with a per-cluster breakdown", () => {
    const s = status([m("idc-1", 8), m("idc-2", 8), m("cloud-1", 8)]);
    expect(s.status).toMatchObject({
      observedGeneration: 3,
      replicas: 24,
      updatedReplicas: 24,
      readyReplicas: 24,
      readyOfDesired: "24/24",
      availableReplicas: 24,
      unavailableReplicas: 0,
      selector: "app=web",
    });
    // READY counts against spec.replicas, placed or not (as kubectl get deployment shows it).
    expect(status([m("idc-1", 8), m("idc-2", 3, { ready: 2 })], { desired: 30 }).status.readyOfDesired).toBe("10/30");
    expect(s.status.clusters).toHaveLength(3);
    expect(s.complete).toBe(true);
    expect(cond(s, "Progressing").reason).toBe("NewReplicaSetAvailable");
    expect(cond(s, "Available").status).toBe("True");
  });

  it("counts an unreachable member's pods as unavailable and holds observedGeneration", () => {
    const s = status([m("idc-1", 8), m("idc-2", 8), m("cloud-1", 8, { reachable: false })]);
    expect(s.status.availableReplicas).toBe(16);
    expect(s.status.unavailableReplicas).toBe(8);
    expect(s.status.observedGeneration).toBe(2);
    expect(s.complete).toBe(false);
    expect(cond(s, "Available")).toMatchObject({
      status: "False",
      reason: "MinimumReplicasUnavailable",
      message: expect.stringContaining("16 of 18"),
    });
  });

  it("counts updated replicas only where the member runs the current template", () => {
    const s = status([m("idc-1", 8), m("idc-2", 8, { current: false }), m("cloud-1", 8)]);
    expect(s.status.updatedReplicas).toBe(16);
    expect(cond(s, "Progressing")).toMatchObject({ reason: "ReplicaSetUpdated", message: "16 of 24 replicas updated across the fleet" });
  });

  it("reports paused, and a member's exceeded progress deadline by name", () => {
    expect(cond(status([m("idc-1", 24)], { paused: true }), "Progressing").reason).toBe("DeploymentPaused");
    const late = status([m("idc-1", 12), m("cloud-1", 12, { deadlineExceeded: true })]);
    expect(cond(late, "Progressing")).toMatchObject({
      status: "False",
      reason: "ProgressDeadlineExceeded",
      message: expect.stringContaining("cloud-1"),
    });
  });
});
