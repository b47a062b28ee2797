/**
 * Where each workload's replicas are and what fits nowhere, as gauges from the Placements the
 * scheduler writes: replicas per member (the IDC/cloud split an operator watches during a burst)
 * and unschedulable replicas per workload (the alert for replicas that fit nowhere).
 */
import type { Placement } from "@spillway/api";
import type { ObjectGauge } from "@spillway/rules";

const workload = (p: Placement) => ({
  namespace: p.metadata.namespace!,
  kind: p.spec.workloadRef.kind,
  workload: p.spec.workloadRef.name,
});

export function placementGauges(list: () => readonly Placement[]): ObjectGauge[] {
  return [
    {
      name: "spillway_placement_replicas",
      description: "Replicas the scheduler placed in each member, by workload",
      samples: () =>
        list().flatMap((p) => p.spec.clusters.map((c) => ({ value: c.replicas, labels: { ...workload(p), cluster: c.name } }))),
    },
    {
      name: "spillway_placement_unschedulable_replicas",
      description: "Replicas of the workload that fit in no eligible member",
      samples: () => list().map((p) => ({ value: p.spec.unschedulableReplicas ?? 0, labels: workload(p) })),
    },
  ];
}
