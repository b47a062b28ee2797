/** Snapshots and summaries as spillway.v1 protobuf messages (integers: millicores, bytes, units). */
import { create } from "@bufbuild/protobuf";
import {
  ClusterSnapshotSchema,
  ClusterSummarySchema,
  ClusterTier,
  ResourceAmountsSchema,
  type ClusterSnapshot,
  type ClusterSummary,
  type ResourceAmounts,
} from "@spillway/proto";
import type { ResourceVector } from "@spillway/resources";
import type { Snapshot } from "../core/snapshot-builder.ts";
import type { RegistryEntry } from "./registry.ts";

const KNOWN = new Set(["cpu", "memory", "ephemeral-storage", "nvidia.com/gpu", "pods"]);

export function amounts(v: ResourceVector): ResourceAmounts {
  const extended: Record<string, bigint> = {};
  for (const [k, n] of Object.entries(v)) if (!KNOWN.has(k)) extended[k] = BigInt(n);
  return create(ResourceAmountsSchema, {
    cpuMillis: BigInt(v["cpu"] ?? 0),
    memoryBytes: BigInt(v["memory"] ?? 0),
    ephemeralStorageBytes: BigInt(v["ephemeral-storage"] ?? 0),
    gpus: BigInt(v["nvidia.com/gpu"] ?? 0),
    extended,
  });
}

export function snapshotMessage(s: Snapshot): ClusterSnapshot {
  return create(ClusterSnapshotSchema, {
    cluster: s.cluster,
    revision: BigInt(s.revision),
    takenAtUnixMillis: BigInt(s.takenAtMs),
    nodes: s.nodes.map((n) => ({
      name: n.name,
      labels: n.labels,
      taints: n.taints,
      allocatable: amounts(n.allocatable),
      free: amounts(n.free),
      podCount: n.podCount,
      maxPods: n.maxPods,
    })),
    pending: s.pending.map((p) => ({
      namespace: p.namespace,
      ownerKind: p.ownerKind,
      ownerName: p.ownerName,
      count: p.count,
      oldestUnschedulableSeconds: BigInt(p.oldestUnschedulableSeconds),
    })),
    owners: s.owners,
  });
}

export function summaryMessage(e: RegistryEntry): ClusterSummary {
  const c = e.connection;
  const totals = c?.builder.totals();
  return create(ClusterSummarySchema, {
    name: e.member.metadata.name!,
    tier: e.member.spec.tier === "idc" ? ClusterTier.IDC : ClusterTier.CLOUD,
    priority: e.member.spec.priority,
    ready: c?.health.ready === true && c.synced,
    kubernetesVersion: c?.kubernetesVersion ?? "",
    allocatable: totals ? amounts(totals.allocatable) : undefined,
    requested: totals ? amounts(totals.requested) : undefined,
    labels: e.member.metadata.labels ?? {},
  });
}
