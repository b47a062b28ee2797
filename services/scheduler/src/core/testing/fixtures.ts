/** Test fixtures: members and workloads as plain data. */
import type { ClusterView, SchedulerConfig, Tier, WorkloadRequest } from "../types.ts";

export function cluster(
  name: string,
  tier: Tier,
  priority: number,
  nodes: Array<{ cpu: number; gpu?: number; labels?: Record<string, string> }>,
  extra: Partial<ClusterView> = {},
): ClusterView {
  return {
    name,
    tier,
    priority,
    labels: { "spillway.dev/tier": tier },
    taints: [],
    ready: true,
    notReadyForMs: 0,
    snapshotRevision: 1,
    nodes: nodes.map((n, i) => ({
      name: `${name}-node-${i}`,
      labels: n.labels ?? {},
      taints: [],
      free: { cpu: n.cpu, memory: 64 * 2 ** 30, ...(n.gpu ? { "nvidia.com/gpu": n.gpu } : {}) },
      freePods: 110,
    })),
    ...extra,
  };
}

/** `count` nodes of 16 CPU (in millicores). */
export const nodes16 = (count: number, gpuOn?: { index: number; gpu: number }) =>
  Array.from({ length: count }, (_, i) => ({ cpu: 16000, ...(gpuOn && gpuOn.index === i ? { gpu: gpuOn.gpu } : {}) }));

export function workload(key: string, replicas: number, cpu: number, extra: Partial<WorkloadRequest> = {}): WorkloadRequest {
  return {
    key,
    replicas,
    perReplica: { cpu },
    nodeSelector: {},
    nodeAffinity: [],
    tolerations: [],
    placement: {},
    failbackStep: 1,
    ...extra,
  };
}

export const testConfig: SchedulerConfig = { failoverGraceMs: 30_000, pendingThresholdMs: 60_000, failbackHoldDownMs: 120_000 };

/** The default testbed fleet: two IDC members of 4×16 CPU (one 8-GPU node each), cloud 8×16 CPU with 16 GPUs. */
export const testbedFleet = (): ClusterView[] => [
  cluster("idc-1", "idc", 10, nodes16(4, { index: 3, gpu: 8 })),
  cluster("idc-2", "idc", 20, nodes16(4, { index: 3, gpu: 8 })),
  cluster("cloud-1", "cloud", 100, [...nodes16(4), ...Array.from({ length: 4 }, () => ({ cpu: 16000, gpu: 4 }))]),
];
