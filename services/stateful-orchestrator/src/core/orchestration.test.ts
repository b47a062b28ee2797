import { describe, expect, it } from "@jest/globals";
import type { FederatedStatefulSetSpec } from "@spillway/api";
import { templateHash } from "@spillway/rules";
import { memberPodTemplate, TEMPLATE_HASH } from "./member-statefulset.ts";
import { decideOrchestration, type LivePod, type MemberView, type OrchestrationInput } from "./orchestration.ts";

const spec = (replicas: number, extra: Partial<FederatedStatefulSetSpec> = {}): FederatedStatefulSetSpec => ({
  replicas,
  selector: { matchLabels: { app: "db" } },
  template: { metadata: { labels: { app: "db" } }, spec: { containers: [{ name: "db", image: "db:1" }] } },
  ...extra,
});
const readyPods = (from: number, to: number): LivePod[] =>
  Array.from({ length: to - from }, (_, i) => ({ ordinal: from + i, ready: true, readySinceMs: 0, terminating: false }));
const view = (name: string, start: number, count: number, pods: LivePod[], extra: Partial<MemberView> = {}): MemberView => ({
  name,
  info: { name, labels: {} },
  ready: true,
  fenced: false,
  connected: true,
  synced: true,
  statefulSet: {
    metadata: { generation: 1 },
    spec: { replicas: count, ordinals: { start } },
    status: { observedGeneration: 1, replicas: count },
  },
  pods,
  claims: [],
  ...extra,
});
const input = (s: FederatedStatefulSetSpec, placement: OrchestrationInput["placement"], members: MemberView[]): OrchestrationInput => ({
  fsts: { namespace: "data", name: "db", generation: 1, spec: s, status: undefined },
  placement,
  members,
  nowMs: 1_000_000,
});
const condition = (d: ReturnType<typeof decideOrchestration>, type: string) => d.status!.conditions.find((c) => c.type === type)!;

describe("decideOrchestration", () => {
  it("says a partition above the highest ordinal updates nothing, and how to fix it", () => {
    const d = decideOrchestration(
      input(
        spec(4, { updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 9 } } }),
        [{ cluster: "idc-1", start: 0, count: 4 }],
        [view("idc-1", 0, 4, readyPods(0, 4))],
      ),
    );
    expect(condition(d, "PartitionAboveReplicas")).toMatchObject({
      status: "True",
      message:
        "updateStrategy.rollingUpdate.partition 9 is above the highest ordinal (3): no ordinal will be updated; lower the partition to roll out",
    });
  });

  it("names an unreachable member that may still run ordinals, writes nothing there, and tells how to fence it", () => {
    const d = decideOrchestration(
      input(
        spec(6),
        [
          { cluster: "idc-1", start: 0, count: 3 },
          { cluster: "idc-2", start: 3, count: 3 },
        ],
        [view("idc-1", 0, 3, readyPods(0, 3)), view("idc-2", 3, 3, readyPods(3, 6), { ready: false })],
      ),
    );
    expect(d.rounds.flat().map((w) => w.cluster)).not.toContain("idc-2");
    expect(condition(d, "OrdinalsHeld").message).toMatch(
      /^idc-2 is unreachable and may still run ordinals 3-5: they are not started elsewhere; if it is gone for good, fence it \(kubectl patch membercluster idc-2/,
    );
    expect(d.status!.status.notReadyOrdinals).toEqual(
      [3, 4, 5].map((k) => ({ ordinal: k, cluster: "idc-2", reason: "idc-2 is unreachable" })),
    );
  });

  it("lists the lowest 100 ordinals that are not Ready and counts them all, for 10,000 ordinals", () => {
    const d = decideOrchestration(
      input(
        spec(10_000),
        [{ cluster: "cloud-1", start: 0, count: 10_000 }],
        [
          view("cloud-1", 0, 10_000, [
            { ordinal: 0, ready: false, terminating: false, reason: "Pending: 0/8 nodes are available: 8 Insufficient cpu" },
          ]),
        ],
      ),
    );
    expect(d.status!.status.notReadyCount).toBe(10_000);
    expect(d.status!.status.notReadyOrdinals).toHaveLength(100);
    expect(d.status!.status.notReadyOrdinals![0]).toEqual({
      ordinal: 0,
      cluster: "cloud-1",
      reason: "Pending: 0/8 nodes are available: 8 Insufficient cpu",
    });
    expect(condition(d, "Ready").message).toBe(
      "10000 of 10000 ordinal(s) not Ready; lowest: 0 in cloud-1: Pending: 0/8 nodes are available: 8 Insufficient cpu",
    );
  });

  it("says on each write that moves a member's range which ordinals it holds now, from and to", () => {
    const d = decideOrchestration(
      input(
        spec(6),
        [
          { cluster: "idc-1", start: 0, count: 4 },
          { cluster: "idc-2", start: 4, count: 2 },
        ],
        [view("idc-1", 0, 4, readyPods(0, 4)), { ...view("idc-2", 4, 0, []), statefulSet: undefined, lookup: "absent" }],
      ),
    );
    // idc-1 keeps 0-3: whatever else its write changes, it says nothing.
    expect(d.rounds.flat().map((w) => [w.cluster, w.scaled])).toEqual(
      expect.arrayContaining([["idc-2", { cluster: "idc-2", from: "ordinals none", to: "4-5" }]]),
    );
    expect(d.rounds.flat().filter((w) => w.event || w.scaled)).toHaveLength(1);
  });

  it("counts a pod Ready for less than minReadySeconds as not available", () => {
    const pods = [{ ordinal: 0, ready: true, readySinceMs: 1_000_000 - 2_000, terminating: false }];
    const d = decideOrchestration(
      input(spec(1, { minReadySeconds: 5 }), [{ cluster: "idc-1", start: 0, count: 1 }], [view("idc-1", 0, 1, pods)]),
    );
    expect(d.status!.status.readyReplicas).toBe(1);
    expect(d.status!.status.readyOfDesired).toBe("1/1");
    expect(d.status!.status.availableReplicas).toBe(0);
    expect(d.status!.status.notReadyOrdinals![0]!.reason).toBe("Ready for less than minReadySeconds (5s)");
  });
  describe("the descending rollout across members", () => {
    // cloud-1 holds 3-5 and rolls first; idc-1 (0-2) waits at partition 3 (its whole range) until cloud-1 is done.
    const s = spec(6, { updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } } });
    const placement = [
      { cluster: "idc-1", start: 0, count: 3 },
      { cluster: "cloud-1", start: 3, count: 3 },
    ];
    const rolled = (name: string, start: number, count: number, pods: LivePod[]): MemberView => {
      const v = view(name, start, count, pods);
      const hash = templateHash(memberPodTemplate({ namespace: "data", name: "db", spec: s }, v.info!));
      return {
        ...v,
        statefulSet: {
          ...v.statefulSet,
          metadata: { generation: 1, annotations: { [TEMPLATE_HASH]: hash } },
          spec: { ...v.statefulSet!.spec, updateStrategy: { rollingUpdate: { partition: 0 } } },
          status: { ...v.statefulSet!.status, updateRevision: "r2", currentRevision: "r1" },
        },
      };
    };
    const at = (revision: string, pods: LivePod[]) => pods.map((p) => ({ ...p, revision }));
    const idc1Partition = (cloud: LivePod[]) => {
      const d = decideOrchestration(
        input(s, placement, [rolled("idc-1", 0, 3, at("r1", readyPods(0, 3))), rolled("cloud-1", 3, 3, cloud)]),
      );
      const w = d.rounds.flat().find((x) => x.cluster === "idc-1");
      const strategy = w?.action === "apply" ? (w.object.spec.updateStrategy as { rollingUpdate?: { partition?: number } }) : undefined;
      return strategy ? strategy.rollingUpdate?.partition : "no write";
    };

    it.each([
      ["ordinal 3 still on the old revision", [...at("r1", readyPods(3, 4)), ...at("r2", readyPods(4, 6))]],
      ["ordinal 3 deleted and not yet made again (in no list)", at("r2", readyPods(4, 6))],
      [
        "ordinal 3 made again but not Ready",
        [...at("r2", [{ ordinal: 3, ready: false, terminating: false }]), ...at("r2", readyPods(4, 6))],
      ],
    ])("holds the member below at its whole range while %s", (_, cloud) => {
      expect(idc1Partition(cloud)).toBe(3);
    });

    it("releases the member below once every ordinal of the member above is updated and available", () => {
      expect(idc1Partition(at("r2", readyPods(3, 6)))).toBe(0);
    });
  });
});
