/**
 * The orchestrator's whole decision for one FederatedStatefulSet, from plain observations: the
 * member StatefulSets to apply or delete, whether to hold, and the status of every ordinal.
 * - **Unseen members hold everything** (the restart gate fleet-root has, from @spillway/rules): a
 *   member that may hold ordinals and has not been listed since start could run any of them.
 * - **One pod per ordinal** (`ordinal-steps.ts`); **descending rollout across members**
 *   (`rollout-order.ts`).
 * - **Never take over** an unmanaged StatefulSet of the same name: no write there, a condition.
 * - **Nothing is sent when nothing changed.**
 */
import type { FederatedStatefulSet, FederatedStatefulSetStatus } from "@spillway/api";
import { appliedIn, selectorString, templateHash, unseenMembers, type MemberInfo } from "@spillway/rules";
import { resolveIntOrPercent } from "@spillway/resources";
import {
  headlessService,
  MANAGED_BY,
  MANAGER,
  memberPodTemplate,
  memberStatefulSet,
  TEMPLATE_HASH,
  type MemberObject,
  type StatefulSetObject,
} from "./member-statefulset.ts";
import { end, formatOrdinals, step, type MemberHolding, type Range } from "./ordinal-steps.ts";
import { memberPartition, partitions } from "./rollout-order.ts";

export interface LivePod {
  ordinal: number;
  ready: boolean;
  /** When the pod last became Ready (ms). */
  readySinceMs?: number;
  terminating: boolean;
  /** `controller-revision-hash`: the member StatefulSet revision it runs. */
  revision?: string;
  /** Why it is not Ready, e.g. `Pending: 0/4 nodes are available: 4 Insufficient cpu`. */
  reason?: string;
}

export interface LiveStatefulSet {
  metadata?: { generation?: number; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { replicas?: number; ordinals?: { start?: number }; updateStrategy?: { rollingUpdate?: { partition?: number } } };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    updatedReplicas?: number;
    currentRevision?: string;
    updateRevision?: string;
  };
}

export interface MemberView {
  name: string;
  /** The MemberCluster's name and labels; undefined when it is gone. */
  info: MemberInfo | undefined;
  ready: boolean;
  fenced: boolean;
  connected: boolean;
  synced: boolean;
  statefulSet: LiveStatefulSet | undefined;
  /** A range written moments ago that the watch may not show yet: it counts as held. */
  written?: Range;
  pods: LivePod[];
  /** Where a StatefulSet is to be made and none is cached: none there, someone else's, or the look-up failed. */
  lookup?: "absent" | "foreign" | "failed";
}

export interface OrchestrationInput {
  fsts: Pick<FederatedStatefulSet, "spec" | "status"> & { namespace: string; name: string; generation: number };
  /** The Placement's ranges; undefined before the scheduler placed the workload. */
  placement: Array<Range & { cluster: string }> | undefined;
  members: MemberView[];
  nowMs: number;
}

export type MemberWrite =
  | { cluster: string; action: "apply"; object: StatefulSetObject; service?: MemberObject; create: boolean; range: Range }
  | { cluster: string; action: "delete" };

export interface ConditionInput {
  type: string;
  status: "True" | "False" | "Unknown";
  reason: string;
  message: string;
}

export interface OrchestrationDecision {
  unseen: string[];
  writes: MemberWrite[];
  conflicts: string[];
  retrySoon: boolean;
  /** Members fenced or gone whose ordinals the fleet wants elsewhere: said in an Event. */
  released: string[];
  status: { status: Omit<FederatedStatefulSetStatus, "conditions">; conditions: ConditionInput[]; complete: boolean } | undefined;
}

const MAX_LISTED = 100;

function specRange(s: LiveStatefulSet | undefined): Range | undefined {
  if (!s) return undefined;
  return { start: s.spec?.ordinals?.start ?? 0, count: s.spec?.replicas ?? 1 };
}

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
  const holdings: MemberHolding[] = input.members.map((m) => ({
    name: m.name,
    spec: cover(m.written, specRange(m.statefulSet)),
    pods: m.pods.map((p) => p.ordinal),
    available: m.pods.filter(available).map((p) => p.ordinal),
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
        if (m.statefulSet && m.pods.length === 0) writes.push({ cluster: m.name, action: "delete" });
        else if (m.statefulSet && (m.statefulSet.spec?.replicas ?? 0) > 0)
          writes.push(applyWrite(m, s.next, parts.get(m.name) ?? 0, false));
        continue;
      }
      if (!m.statefulSet && (s.next.count === 0 || m.lookup !== "absent")) continue;
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
  }

  function applyWrite(m: MemberView, range: Range, part: number | undefined, create: boolean): Extract<MemberWrite, { action: "apply" }> {
    return {
      cluster: m.name,
      action: "apply",
      object: memberStatefulSet(workload, m.info!, range, part),
      ...(create ? { service: headlessService(workload) } : {}),
      create,
      range,
    };
  }

  const conflicts = input.members.filter((m) => m.lookup === "foreign").map((m) => m.name);
  const retrySoon = input.members.some((m) => m.lookup === "failed");
  const released = input.members
    .filter((m) => m.fenced && desired.every((d) => d.cluster !== m.name) && (m.statefulSet || m.pods.length))
    .map((m) => m.name);

  // Status: held while a Ready member is unseen, so a restart does not report its pods as gone.
  if (unseen.some((m) => m.ready)) return { unseen: unseen.map((m) => m.name), writes, conflicts, retrySoon, released, status: undefined };

  const byOrdinal = new Map<number, { member: MemberView; pod: LivePod }[]>();
  for (const m of input.members)
    for (const p of m.pods) byOrdinal.set(p.ordinal, [...(byOrdinal.get(p.ordinal) ?? []), { member: m, pod: p }]);
  let notReadyCount = 0;
  const notReadyOrdinals: Array<{ ordinal: number; cluster: string; reason: string }> = [];
  const counts = { ready: 0, available: 0, updated: 0, replicas: 0 };
  for (const d of desired) {
    const m = input.members.find((x) => x.name === d.cluster);
    for (let k = d.start; k < end(d); k++) {
      const here = m?.pods.find((p) => p.ordinal === k);
      if (here && m && !gone(m)) {
        counts.replicas++;
        if (here.ready && !here.terminating) counts.ready++;
        if (updatedPod(m, here)) counts.updated++;
        if (available(here) && reachable(m)) {
          counts.available++;
          continue;
        }
      }
      notReadyCount++;
      if (notReadyOrdinals.length >= MAX_LISTED) continue;
      const elsewhere = (byOrdinal.get(k) ?? []).find((x) => x.member.name !== d.cluster);
      const reason = !m
        ? "its member is not known to the orchestrator"
        : here
          ? !reachable(m)
            ? `${d.cluster} is unreachable`
            : here.terminating
              ? "terminating"
              : here.ready
                ? `Ready for less than minReadySeconds (${spec.minReadySeconds ?? 0}s)`
                : (here.reason ?? "not Ready")
          : elsewhere
            ? `still in ${elsewhere.member.name}${elsewhere.pod.terminating ? " (terminating)" : ""}; starts here once it is gone`
            : (steps.get(d.cluster)?.waiting ?? "not created yet");
      notReadyOrdinals.push({ ordinal: k, cluster: d.cluster, reason });
    }
  }
  const top = (spec.ordinals?.start ?? 0) + spec.replicas;
  const toUpdate = Math.max(0, top - Math.max(partition, spec.ordinals?.start ?? 0));
  const updateRevision = `${fsts.name}-${templateHash(spec.template).slice(0, 10)}`;
  const rolled = !onDelete && counts.updated >= toUpdate && input.members.filter((m) => m.statefulSet && !gone(m)).every(current);
  const completeUpdate = rolled && partition <= (spec.ordinals?.start ?? 0);
  const currentRevision = completeUpdate ? updateRevision : (fsts.status?.currentRevision ?? updateRevision);
  const complete = rolled && counts.available === spec.replicas && notReadyCount === 0;

  const ordinalRanges = [...desired]
    .sort((a, b) => a.start - b.start)
    .map((d) => {
      const m = input.members.find((x) => x.name === d.cluster);
      const st = m?.statefulSet?.status;
      const waiting = steps.get(d.cluster)?.waiting;
      return {
        cluster: d.cluster,
        start: d.start,
        count: d.count,
        replicas: st?.replicas ?? 0,
        readyReplicas: st?.readyReplicas ?? 0,
        updatedReplicas: m ? m.pods.filter((p) => updatedPod(m, p)).length : 0,
        ...(st?.currentRevision ? { currentRevision: st.currentRevision } : {}),
        ...(st?.updateRevision ? { updateRevision: st.updateRevision } : {}),
        ...(waiting ? { message: waiting } : {}),
      };
    });
  const conditions: ConditionInput[] = [];
  const firstNotReady = notReadyOrdinals[0];
  conditions.push(
    !input.placement
      ? { type: "Ready", status: "Unknown", reason: "WaitingForPlacement", message: "the scheduler has not placed this workload yet" }
      : notReadyCount === 0 && counts.available === spec.replicas
        ? { type: "Ready", status: "True", reason: "AllOrdinalsReady", message: `all ${spec.replicas} ordinal(s) Ready` }
        : {
            type: "Ready",
            status: "False",
            reason: "OrdinalsNotReady",
            message: `${Math.max(notReadyCount, spec.replicas - counts.available)} of ${spec.replicas} ordinal(s) not Ready${firstNotReady ? `; lowest: ${firstNotReady.ordinal} in ${firstNotReady.cluster}: ${firstNotReady.reason}` : ""}`,
          },
  );
  conditions.push(
    onDelete
      ? {
          type: "Progressing",
          status: "True",
          reason: "OnDelete",
          message: "pods are replaced only when deleted (updateStrategy OnDelete)",
        }
      : rolled
        ? {
            type: "Progressing",
            status: "True",
            reason: "RolloutComplete",
            message: `every ordinal ≥ ${partition} runs revision ${updateRevision}`,
          }
        : {
            type: "Progressing",
            status: "True",
            reason: "RollingUpdate",
            message: `${counts.updated} of ${toUpdate} ordinal(s) at or above the partition (${partition}) updated, highest first`,
          },
  );
  const holders = input.members.filter((m) => !gone(m) && !reachable(m) && (m.pods.length || (m.statefulSet?.spec?.replicas ?? 0) > 0));
  conditions.push(
    holders.length
      ? {
          type: "OrdinalsHeld",
          status: "True",
          reason: "MemberUnreachable",
          message: holders
            .map((m) => {
              const r = specRange(m.statefulSet);
              return `${m.name} is unreachable and may still run ${r && r.count ? `ordinals ${formatOrdinals(r.start, end(r))}` : "some ordinals"}: they are not started elsewhere; if it is gone for good, fence it (kubectl patch membercluster ${m.name} --type merge -p '{"spec":{"fenced":true}}')`;
            })
            .join("; "),
        }
      : { type: "OrdinalsHeld", status: "False", reason: "AllMembersReachable", message: "" },
  );
  conditions.push(
    partition > top
      ? {
          type: "PartitionAboveReplicas",
          status: "True",
          reason: "NothingToUpdate",
          message: `updateStrategy.rollingUpdate.partition ${partition} is above the highest ordinal (${top - 1}): no ordinal will be updated; lower the partition to roll out`,
        }
      : { type: "PartitionAboveReplicas", status: "False", reason: "PartitionInRange", message: "" },
  );
  return {
    unseen: unseen.map((m) => m.name),
    writes,
    conflicts,
    retrySoon,
    released,
    status: {
      status: {
        observedGeneration: fsts.generation,
        replicas: counts.replicas,
        readyReplicas: counts.ready,
        currentReplicas: currentRevision === updateRevision ? counts.replicas : counts.replicas - counts.updated,
        updatedReplicas: counts.updated,
        availableReplicas: counts.available,
        currentRevision,
        updateRevision,
        selector: selectorString(spec.selector),
        ordinalRanges,
        rangeSummary: ordinalRanges.map((r) => `${r.cluster}:${formatOrdinals(r.start, r.start + r.count)}`).join(" "),
        notReadyOrdinals,
        notReadyCount,
      },
      conditions,
      complete,
    },
  };
}
