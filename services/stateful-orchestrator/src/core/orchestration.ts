/**
 * The orchestrator's whole decision for one FederatedStatefulSet, from plain observations: the
 * member StatefulSets to apply or delete, whether to hold, and the status of every ordinal.
 * - **Unseen members hold everything** (the restart gate fleet-root has, from @spillway/rules): a
 *   member that may hold ordinals and has not been listed since start could run any of them.
 * - **One pod per ordinal** (`ordinal-steps.ts`); **descending rollout across members**
 *   (`rollout-order.ts`); **one copy of an ordinal's volume claims** (`stale-holdings.ts`): a moved
 *   or stale claim is deleted before the ordinal starts anywhere else.
 * - **Never take over** an unmanaged StatefulSet of the same name: no write there, a condition.
 * - **Nothing is sent when nothing changed.**
 */
import type { FederatedStatefulSet, FederatedStatefulSetStatus } from "@spillway/api";
import {
  appliedIn,
  mayCreate,
  templateHash,
  unseenMembers,
  type MemberWrite as SharedMemberWrite,
  type WorkloadDecision,
  type WorkloadEvent,
} from "@spillway/rules";
import { resolveIntOrPercent } from "@spillway/resources";
import {
  headlessService,
  MANAGED_BY,
  MANAGER,
  memberPodTemplate,
  memberStatefulSet,
  TEMPLATE_HASH,
  type StatefulSetObject,
} from "./member-statefulset.ts";
import { end, step, type MemberHolding, type Range } from "./ordinal-steps.ts";
import { memberPartition, partitions } from "./rollout-order.ts";
import { specRange, type LivePod, type MemberView } from "./member-view.ts";
import { ordinalStatus } from "./ordinal-status.ts";
import { claimReleases, staleOrdinals } from "./stale-holdings.ts";

export type { LiveClaim, LivePod, LiveStatefulSet, MemberView } from "./member-view.ts";

export interface OrchestrationInput {
  fsts: Pick<FederatedStatefulSet, "spec" | "status"> & { namespace: string; name: string; generation: number };
  /** The Placement's ranges; undefined before the scheduler placed the workload. */
  placement: Array<Range & { cluster: string }> | undefined;
  members: MemberView[];
  nowMs: number;
}

type MemberWrite = SharedMemberWrite<StatefulSetObject>;

/** The shared decision (`WorkloadDecision`), its writes in one round; fenced members whose ordinals move on are said in an Event. */
export type OrchestrationDecision = WorkloadDecision<Omit<FederatedStatefulSetStatus, "conditions">, StatefulSetObject>;

/** The smallest range covering both (a write in flight and the cached spec). */
const cover = (a: Range | undefined, b: Range | undefined): Range | undefined => {
  if (!a || a.count === 0) return b;
  if (!b || b.count === 0) return a;
  const start = Math.min(a.start, b.start);
  return { start, count: Math.max(end(a), end(b)) - start };
};

export function decideOrchestration(input: OrchestrationInput): OrchestrationDecision {
  const { fsts } = input;
  const spec = fsts.spec;
  const desired = input.placement ?? [];
  const desiredOf = (c: string) => desired.find((d) => d.cluster === c);
  const heldBefore = new Set((fsts.status?.ordinalRanges ?? []).map((r) => r.cluster));
  const unseen = unseenMembers(
    input.members.map((m) => ({ ...m, registered: !!m.info && !m.fenced })),
    (name) => !!desiredOf(name) || heldBefore.has(name),
  );
  const minReadyMs = (spec.minReadySeconds ?? 0) * 1000;
  const available = (p: LivePod) => p.ready && !p.terminating && input.nowMs - (p.readySinceMs ?? 0) >= minReadyMs;
  const reachable = (m: MemberView) => !!m.info && !m.fenced && m.ready && m.connected && m.synced;
  const gone = (m: MemberView) => !m.info || m.fenced;
  // Claims in a member whose StatefulSet of this name is someone else's are theirs.
  const claimsOf = (m: MemberView) => (m.lookup === "foreign" ? [] : m.claims);
  const specOf = (m: MemberView) => cover(m.written, specRange(m.statefulSet));
  const stale = staleOrdinals(
    input.members.filter((m) => !gone(m)).map((m) => ({ name: m.name, spec: specOf(m), pods: m.pods, claims: claimsOf(m) })),
  );
  const holdings: MemberHolding[] = input.members.map((m) => ({
    name: m.name,
    spec: specOf(m),
    pods: m.pods.map((p) => p.ordinal),
    available: m.pods.filter(available).map((p) => p.ordinal),
    claims: claimsOf(m).map((c) => c.ordinal),
    stale: [...(stale.get(m.name) ?? [])],
    reachable: reachable(m) && m.lookup !== "foreign" && m.lookup !== "failed",
    gone: gone(m),
  }));
  const orderedReady = (spec.podManagementPolicy ?? "OrderedReady") === "OrderedReady";
  const moveBudget = Math.max(1, resolveIntOrPercent(spec.updateStrategy?.rollingUpdate?.maxUnavailable, spec.replicas, false, 1));
  const steps = step({ desired, members: holdings, orderedReady, moveBudget });

  const onDelete = spec.updateStrategy?.type === "OnDelete";
  const partition = spec.updateStrategy?.rollingUpdate?.partition ?? 0;
  const workload = { namespace: fsts.namespace, name: fsts.name, spec };
  // Whether each member StatefulSet holds, and has observed, the member's current template: once
  // per member, since every pod's "updated" judgement asks it.
  const currentByMember = new Map(
    input.members.map((m) => [
      m.name,
      !!m.statefulSet &&
        !!m.info &&
        m.statefulSet.metadata?.annotations?.[TEMPLATE_HASH] === templateHash(memberPodTemplate(workload, m.info)) &&
        (m.statefulSet.status?.observedGeneration ?? 0) >= (m.statefulSet.metadata?.generation ?? 0),
    ]),
  );
  const current = (m: MemberView) => currentByMember.get(m.name) ?? false;
  const updatedPod = (m: MemberView, p: LivePod) => current(m) && !!p.revision && p.revision === m.statefulSet?.status?.updateRevision;
  // Every ordinal of the range at or above the partition must be there: between the member's
  // StatefulSet controller deleting a pod and creating it again at the new revision, the pod is in
  // no list, and judging only the pods listed would release the member below a step early.
  const done = (m: MemberView, r: Range) => {
    if (!current(m)) return false;
    const byOrdinal = new Map(m.pods.map((p) => [p.ordinal, p]));
    for (let k = Math.max(partition, r.start); k < end(r); k++) {
      const p = byOrdinal.get(k);
      if (!p || !updatedPod(m, p) || !available(p)) return false;
    }
    return true;
  };

  const nextRange = (m: MemberView) => steps.get(m.name)?.next ?? specRange(m.statefulSet) ?? { start: 0, count: 0 };
  const parts = partitions(
    input.members.filter((m) => !gone(m)).map((m) => ({ name: m.name, range: nextRange(m), done: done(m, nextRange(m)) })),
    partition,
  );

  const writes: MemberWrite[] = [];
  if (unseen.length === 0) {
    for (const m of input.members) {
      const s = steps.get(m.name);
      if (!s?.next || !m.info) continue;
      const holding = holdings.find((h) => h.name === m.name)!;
      if (!holding.reachable) continue;
      const d = desiredOf(m.name);
      if (!d && s.next.count === 0) {
        if (m.statefulSet && m.pods.length === 0)
          writes.push({
            cluster: m.name,
            action: "delete",
            event: { type: "Normal", reason: "RemovedMember", note: `Removed member StatefulSet from ${m.name}: no ordinals placed there` },
          });
        else if (m.statefulSet && (m.statefulSet.spec?.replicas ?? 0) > 0)
          writes.push(applyWrite(m, s.next, parts.get(m.name) ?? 0, false));
        continue;
      }
      if (!m.statefulSet && (s.next.count === 0 || !mayCreate(m.lookup))) continue;
      const w = applyWrite(m, s.next, onDelete ? undefined : (parts.get(m.name) ?? memberPartition(partition, s.next)), !m.statefulSet);
      const { template: _t, ...rest } = w.object.spec;
      if (
        m.statefulSet &&
        m.statefulSet.metadata?.labels?.[MANAGED_BY] === MANAGER &&
        appliedIn({ metadata: w.object.metadata, spec: rest }, m.statefulSet)
      )
        continue;
      writes.push(w);
    }
    const owner = new Map(desired.flatMap((d) => Array.from({ length: d.count }, (_, i) => [d.start + i, d.cluster] as const)));
    const releases = claimReleases({
      members: input.members.map((m, i) => ({
        name: m.name,
        spec: holdings[i]!.spec,
        next: steps.get(m.name)?.next,
        pods: m.pods,
        claims: claimsOf(m),
        writable: holdings[i]!.reachable && !holdings[i]!.gone,
      })),
      owner,
      stale,
    });
    for (const r of releases)
      writes.push({
        cluster: r.cluster,
        action: "delete",
        ref: { apiVersion: "v1", kind: "PersistentVolumeClaim", name: r.name },
        event: {
          type: "Normal",
          reason: "ReleasedClaim",
          note:
            r.why === "moved"
              ? `Deleted volume claim ${r.name} in ${r.cluster}: ordinal ${r.ordinal} moved to ${owner.get(r.ordinal)} and starts there on a new claim`
              : `Deleted volume claim ${r.name} in ${r.cluster}: ordinal ${r.ordinal} ran elsewhere while ${r.cluster} was fenced, and its data there is newer`,
        },
      });
  }

  function applyWrite(m: MemberView, range: Range, part: number | undefined, create: boolean): Extract<MemberWrite, { action: "apply" }> {
    const from = specRange(m.statefulSet) ?? { start: range.start, count: 0 };
    const moved = from.start !== range.start || from.count !== range.count;
    return {
      cluster: m.name,
      action: "apply",
      object: memberStatefulSet(workload, m.info!, range, part),
      ...(create ? { needs: [headlessService(workload)] } : {}),
      create,
      // As a StatefulSet's own SuccessfulCreate/Delete say which pod: which ordinals this member holds now.
      ...(moved ? { scaled: { cluster: m.name, from: `ordinals ${ordinals(from)}`, to: ordinals(range) } } : {}),
    };
  }

  const conflicts = input.members.filter((m) => m.lookup === "foreign").map((m) => m.name);
  const retrySoon = input.members.some((m) => m.lookup === "failed");
  const events: WorkloadEvent[] = input.members
    .filter((m) => m.fenced && desired.every((d) => d.cluster !== m.name) && (m.statefulSet || m.pods.length))
    .filter((m) => fsts.status?.ordinalRanges?.some((r) => r.cluster === m.name))
    .map((m) => ({
      type: "Warning",
      reason: "MemberFenced",
      note: `${m.name} is fenced: its ordinals are started in other members without waiting for its pods to stop`,
    }));
  const decision = { unseen: unseen.map((m) => m.name), rounds: [writes], conflicts, retrySoon, events };

  // Status: held while a Ready member is unseen, so a restart does not report its pods as gone.
  if (unseen.some((m) => m.ready)) return { ...decision, status: undefined };

  return {
    ...decision,
    status: ordinalStatus({ input, steps, partition, onDelete, gone, reachable, available, current, updatedPod }),
  };
}

/** `0-3`, `7`, or `none`. */
function ordinals(r: Range): string {
  if (r.count === 0) return "none";
  return r.count === 1 ? String(r.start) : `${r.start}-${r.start + r.count - 1}`;
}
