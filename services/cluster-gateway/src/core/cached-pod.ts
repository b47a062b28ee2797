/**
 * What the gateway's cache of a member's pods keeps of each pod. The fleet API's copy of a pod is
 * its stored JSON (`FleetObjects`); the cache only feeds the snapshot (`podInfo`), the Pods
 * metrics (`podSamples`) and the member-side facts of a fleet write (name, uid, resourceVersion,
 * labels, owners). Keeping the whole parsed pod there as well cost ~6 KiB per pod, twice the
 * stored JSON, for fields nothing reads.
 */

interface ContainerLike {
  name?: string;
  restartPolicy?: string;
  resources?: { requests?: unknown };
}

interface ConditionLike {
  type?: string;
  status?: string;
  reason?: string;
  lastTransitionTime?: unknown;
}

export interface CompactablePod {
  metadata?: Record<string, unknown>;
  spec?: {
    nodeName?: string;
    containers?: ContainerLike[];
    initContainers?: ContainerLike[];
    resources?: { requests?: unknown };
    overhead?: unknown;
  };
  status?: { phase?: string; startTime?: unknown; conditions?: ConditionLike[] };
}

const keptMetadata = ["name", "namespace", "uid", "resourceVersion", "labels", "ownerReferences", "deletionTimestamp"] as const;

/** Shrinks `pod` in place to what the gateway reads of it (see the module comment). */
export function compactPod(pod: CompactablePod): void {
  const meta = pod.metadata ?? {};
  const metadata: Record<string, unknown> = {};
  for (const field of keptMetadata) if (meta[field] !== undefined && meta[field] !== null) metadata[field] = meta[field];
  pod.metadata = metadata;

  const spec = pod.spec ?? {};
  const container = (c: ContainerLike): ContainerLike => ({
    ...(c.name !== undefined ? { name: c.name } : {}),
    ...(c.restartPolicy !== undefined ? { restartPolicy: c.restartPolicy } : {}),
    ...(c.resources?.requests ? { resources: { requests: c.resources.requests } } : {}),
  });
  pod.spec = {
    ...(spec.nodeName ? { nodeName: spec.nodeName } : {}),
    ...(spec.containers ? { containers: spec.containers.map(container) } : {}),
    ...(spec.initContainers ? { initContainers: spec.initContainers.map(container) } : {}),
    ...(spec.resources?.requests ? { resources: { requests: spec.resources.requests } } : {}),
    ...(spec.overhead ? { overhead: spec.overhead } : {}),
  };

  const status = pod.status ?? {};
  pod.status = {
    ...(status.phase ? { phase: status.phase } : {}),
    ...(status.startTime ? { startTime: status.startTime } : {}),
    ...(status.conditions
      ? {
          conditions: status.conditions.map((c) => ({
            type: c.type,
            status: c.status,
            ...(c.reason ? { reason: c.reason } : {}),
            ...(c.lastTransitionTime ? { lastTransitionTime: c.lastTransitionTime } : {}),
          })),
        }
      : {}),
  };
}
