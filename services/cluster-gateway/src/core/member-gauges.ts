/**
 * How each member is, as gauges (kube-state-metrics' shape for nodes: `resource` and `unit`
 * labels): Ready, and allocatable and requested capacity per resource, from the MemberClusters'
 * status the leader writes, so every replica exports the same figures.
 */
import type { MemberCluster } from "@spillway/api";
import type { GaugeSample, ObjectGauge } from "@spillway/rules";
import { bytes, milliCpu, parseQuantity } from "@spillway/resources";

/** A quantity in the unit Prometheus users expect for the resource. */
function inUnit(resource: string, q: string): { value: number; unit: string } {
  if (resource === "cpu") return { value: milliCpu(q) / 1000, unit: "core" };
  if (resource === "memory" || resource === "ephemeral-storage") return { value: bytes(q), unit: "byte" };
  return { value: parseQuantity(q), unit: "integer" };
}

function capacity(members: readonly MemberCluster[], field: "allocatable" | "requested"): GaugeSample[] {
  return members.flatMap((m) =>
    Object.entries(m.status?.[field] ?? {}).map(([resource, q]) => {
      const { value, unit } = inUnit(resource, String(q));
      return { value, labels: { cluster: m.metadata.name!, resource, unit } };
    }),
  );
}

export function memberGauges(list: () => readonly MemberCluster[]): ObjectGauge[] {
  return [
    {
      name: "spillway_member_ready",
      description: "1 while the member's Ready condition is True (cluster-gateway reaches and has listed it)",
      samples: () =>
        list().map((m) => ({
          value: m.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ? 1 : 0,
          labels: { cluster: m.metadata.name!, tier: m.spec.tier },
        })),
    },
    {
      name: "spillway_member_allocatable",
      description: "Allocatable capacity of the member's nodes, by resource",
      samples: () => capacity(list(), "allocatable"),
    },
    {
      name: "spillway_member_requested",
      description: "Capacity requested by the member's pods, by resource",
      samples: () => capacity(list(), "requested"),
    },
  ];
}
