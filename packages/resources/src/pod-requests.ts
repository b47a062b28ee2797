/**
 * What a pod requests, counted as the kube-scheduler counts it (k8s.io/component-helpers
 * resource.PodRequests): the sum of the app containers plus restartable init containers
 * (sidecars, which run alongside), or the largest moment of the init sequence if that is bigger,
 * plus the pod overhead. Pod-level `spec.resources.requests` (cpu, memory, hugepages), where set, win for the
 * resources they name.
 */
import { add, addInto, fromResourceList, max, type ResourceVector } from "./resource-vector.ts";

/** The parts of a pod spec this needs; client-node's V1PodSpec fits. */
export interface PodSpecLike {
  containers?: ContainerLike[];
  initContainers?: ContainerLike[];
  overhead?: Record<string, string | number>;
  resources?: { requests?: Record<string, string | number> };
}

export interface ContainerLike {
  restartPolicy?: string;
  resources?: { requests?: Record<string, string | number> };
}

export function podRequests(spec: PodSpecLike): ResourceVector {
  const containers: ResourceVector = {};
  for (const c of spec.containers ?? []) addInto(containers, fromResourceList(c.resources?.requests));

  let sidecars: ResourceVector = {};
  let initPeak: ResourceVector = {};
  for (const c of spec.initContainers ?? []) {
    const r = fromResourceList(c.resources?.requests);
    if (c.restartPolicy === "Always") {
      sidecars = add(sidecars, r);
      initPeak = max(initPeak, sidecars);
    } else {
      initPeak = max(initPeak, add(r, sidecars));
    }
  }
  const reqs = max(add(containers, sidecars), initPeak);

  const podLevel = fromResourceList(spec.resources?.requests);
  for (const [name, v] of Object.entries(podLevel)) {
    if (name === "cpu" || name === "memory" || name.startsWith("hugepages-")) reqs[name] = v;
  }
  addInto(reqs, fromResourceList(spec.overhead));
  return reqs;
}
