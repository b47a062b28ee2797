/**
 * A workload as the dependency follower takes it (ADR 0009): the members it is in, and everything
 * its pods need there — what the template names, the Secrets its ServiceAccount lends, and the
 * Services that select its pods. Pure, over the host's objects of the namespace.
 */
import type { Placement } from "@spillway/api";
import {
  selectingServices,
  serviceAccountDependencies,
  templateDependencies,
  type DependencyObject,
  type FollowedWorkload,
  type PodSpecRefs,
} from "@spillway/rules";

export interface WorkloadShape {
  /** `Kind/name`. */
  id: string;
  template: { metadata?: { labels?: Record<string, string> }; spec?: PodSpecRefs } | undefined;
  /** Members its status says hold its pods (they need what they run with until gone). */
  heldIn: readonly string[];
}

/** Members with replicas in the placement, and members still holding pods: both need the objects. */
export function workloadMembers(placement: Pick<Placement, "spec"> | undefined, heldIn: readonly string[]): string[] {
  const placed = (placement?.spec.clusters ?? []).filter((c) => c.replicas > 0).map((c) => c.name);
  return [...new Set([...placed, ...heldIn])].sort();
}

export function followedWorkload(
  w: WorkloadShape,
  placement: Pick<Placement, "spec"> | undefined,
  host: { account(name: string): DependencyObject | undefined; services: readonly DependencyObject[] },
): FollowedWorkload {
  const fromTemplate = templateDependencies(w.template?.spec);
  const lent = fromTemplate.filter((r) => r.kind === "ServiceAccount").flatMap((r) => serviceAccountDependencies(host.account(r.name)));
  const services = selectingServices(host.services, w.template?.metadata?.labels);
  return { id: w.id, members: workloadMembers(placement, w.heldIn), needs: [...fromTemplate, ...lent, ...services] };
}
