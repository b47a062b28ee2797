import { describe, expect, it } from "@jest/globals";
import { create } from "@bufbuild/protobuf";
import type { FederatedDeployment, Placement } from "@spillway/api";
import { ClusterSnapshotSchema, OwnerPodsSchema, type ClusterSnapshot } from "@spillway/proto";
import fc from "fast-check";
import type { Workload } from "../core/placement-object.ts";
import { workloadRequest } from "../core/workload-request.ts";
import { InflightCache } from "./inflight-cache.ts";

const CLUSTERS = ["idc-1", "idc-2", "cloud-1"];
const NAMES = ["web", "api", "db"];

const workload = (name: string, cpu: number): FederatedDeployment => ({
  apiVersion: "spillway.dev/v1alpha1",
  kind: "FederatedDeployment",
  metadata: { name, namespace: "shop" },
  spec: {
    replicas: 6,
    selector: { matchLabels: { app: name } },
    template: { spec: { containers: [{ name: "c", image: "x", resources: { requests: { cpu: `${cpu}m` } } }] } },
  },
});

const placement = (name: string, replicas: number[]): Placement => ({
  apiVersion: "spillway.dev/v1alpha1",
  kind: "Placement",
  metadata: { name: `federateddeployment-${name}`, namespace: "shop" },
  spec: {
    workloadRef: { apiVersion: "spillway.dev/v1alpha1", kind: "FederatedDeployment", name },
    workloadGeneration: 1,
    clusters: CLUSTERS.map((c, i) => ({ name: c, replicas: replicas[i]!, reason: "fits" })),
    unschedulableReplicas: 0,
  },
});

/** A member's snapshot holding `bound[name]` bound pods of each workload's ReplicaSet. */
const snapshot = (cluster: string, bound: number[]): ClusterSnapshot =>
  create(ClusterSnapshotSchema, {
    cluster,
    owners: NAMES.map((n, i) =>
      create(OwnerPodsSchema, { namespace: "shop", ownerKind: "ReplicaSet", ownerName: `${n}-5bb88554b8`, bound: bound[i] }),
    ),
  });

/** The definition, from scratch: what each placement put in each member beyond what the member holds. */
function definition(placements: Placement[], workloads: Map<string, Workload>, snapshots: Map<string, ClusterSnapshot>) {
  return placements.flatMap((p) => {
    const w = workloads.get(p.spec.workloadRef.name);
    if (!w) return [];
    const i = NAMES.indexOf(w.metadata.name!);
    return p.spec.clusters
      .map((c) => ({ cluster: c.name, replicas: c.replicas - Number(snapshots.get(c.name)?.owners[i]?.bound ?? 0) }))
      .filter((e) => e.replicas > 0)
      .map((e) => ({ workload: workloadRequest(`shop/${w.metadata.name}`, w.spec), ...e }));
  });
}

const counts = fc.array(fc.nat({ max: 4 }), { minLength: 3, maxLength: 3 });
const step = fc.oneof(
  fc.record({ snapshot: fc.constantFrom(...CLUSTERS), bound: counts }),
  fc.record({ workload: fc.constantFrom(...NAMES), cpu: fc.integer({ min: 1, max: 900 }), gone: fc.boolean() }),
  fc.record({ placement: fc.constantFrom(...NAMES), replicas: counts }),
);

describe("InflightCache", () => {
  it("gives, after any sequence of replaced snapshots, workloads and Placements, what working it out from scratch gives", () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 25 }), (steps) => {
        const snapshots = new Map(CLUSTERS.map((c) => [c, snapshot(c, [0, 0, 0])]));
        const workloads = new Map(NAMES.map((n) => [n, workload(n, 100)]));
        const placements = new Map(NAMES.map((n) => [n, placement(n, [2, 2, 2])]));
        const cache = new InflightCache((c) => snapshots.get(c));
        const inflight = () => cache.of(placements.values(), (p) => workloads.get(p.spec.workloadRef.name));
        expect(inflight()).toEqual(definition([...placements.values()], workloads, snapshots));
        for (const s of steps) {
          if ("snapshot" in s) snapshots.set(s.snapshot, snapshot(s.snapshot, s.bound));
          else if ("workload" in s) {
            if (s.gone) workloads.delete(s.workload);
            else workloads.set(s.workload, workload(s.workload, s.cpu));
          } else placements.set(s.placement, placement(s.placement, s.replicas));
          expect(inflight()).toEqual(definition([...placements.values()], workloads, snapshots));
        }
      }),
    );
  });

  it("works a workload's request out once while neither it nor its Placement is replaced", () => {
    const snapshots = new Map(CLUSTERS.map((c) => [c, snapshot(c, [0, 0, 0])]));
    const web = workload("web", 100);
    const p = placement("web", [2, 2, 2]);
    const cache = new InflightCache((c) => snapshots.get(c));
    const first = cache.of([p], () => web);
    snapshots.set("idc-1", snapshot("idc-1", [1, 0, 0]));
    const second = cache.of([p], () => web);
    expect(second.map((e) => e.replicas)).toEqual([1, 2, 2]);
    expect(second.every((e) => e.workload === first[0]!.workload)).toBe(true);
    // A new workload object (its template changed): its request is worked out again.
    expect(cache.of([p], () => workload("web", 200))[0]!.workload.perReplica).toEqual({ cpu: 200 });
  });
});
