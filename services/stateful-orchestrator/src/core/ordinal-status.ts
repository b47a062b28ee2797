/**
 * The status of a FederatedStatefulSet, every ordinal judged where the Placement wants it: counts
 * as one StatefulSet reports them, the ordinals not Ready with why (capped), the ranges per member,
 * and the conditions `Ready`, `Progressing`, `OrdinalsHeld` and `PartitionAboveReplicas`.
 */
import type { ConditionInput, FederatedStatefulSetStatus } from "@spillway/api";
import { selectorString, templateHash } from "@spillway/rules";
import { specRange, type LivePod, type MemberView } from "./member-view.ts";
import type { OrchestrationInput } from "./orchestration.ts";
import { end, formatOrdinals } from "./ordinal-steps.ts";

const MAX_LISTED = 100;

/** What the orchestration already judged, that the status reads the same way. */
export interface Judged {
  input: OrchestrationInput;
  /** Each member's next step: why it waits, if it does. */
  steps: ReadonlyMap<string, { waiting?: string }>;
  partition: number;
  onDelete: boolean;
  gone: (m: MemberView) => boolean;
  reachable: (m: MemberView) => boolean;
  available: (p: LivePod) => boolean;
  /** The member StatefulSet holds, and has observed, the member's current template. */
  current: (m: MemberView) => boolean;
  updatedPod: (m: MemberView, p: LivePod) => boolean;
}

export interface OrdinalStatus {
  status: Omit<FederatedStatefulSetStatus, "conditions">;
  conditions: ConditionInput[];
  complete: boolean;
}

/** Every desired ordinal counted, and the first not Ready ones with why. */
function countOrdinals(j: Judged) {
  const { input, steps, gone, reachable, available, updatedPod } = j;
  const spec = input.fsts.spec;
  const desired = input.placement ?? [];
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
  return { counts, notReadyCount, notReadyOrdinals };
}

export function ordinalStatus(j: Judged): OrdinalStatus {
  const { input, steps, partition, onDelete, gone, current, updatedPod } = j;
  const { fsts } = input;
  const spec = fsts.spec;
  const desired = input.placement ?? [];
  const { counts, notReadyCount, notReadyOrdinals } = countOrdinals(j);
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
  const conditions = ordinalConditions(j, { counts, notReadyCount, notReadyOrdinals, rolled, updateRevision, toUpdate, top });
  return {
    status: {
      observedGeneration: fsts.generation,
      replicas: counts.replicas,
      readyReplicas: counts.ready,
      readyOfDesired: `${counts.ready}/${spec.replicas}`,
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
  };
}

function ordinalConditions(
  j: Judged,
  o: ReturnType<typeof countOrdinals> & { rolled: boolean; updateRevision: string; toUpdate: number; top: number },
): ConditionInput[] {
  const { input, partition, onDelete, gone, reachable } = j;
  const spec = input.fsts.spec;
  const { counts, notReadyCount, notReadyOrdinals, rolled, updateRevision, toUpdate, top } = o;
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
  return conditions;
}
