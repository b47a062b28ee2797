/**
 * Fleet-root's whole decision for one FederatedDeployment, from plain observations: which member
 * Deployments to apply or delete and in which round, whether to hold, the aggregated status and
 * when to look again. The controller only observes and carries this out.
 *
 * The rules, and why:
 * - **Unseen members hold everything.** A member not listed since fleet-root started may hold a
 *   budget share granted before the restart; handing budget out without it could break the fleet
 *   bound. Until every member that may hold the workload's pods (the placed ones and every Ready
 *   one) has been listed, nothing is written; the status is held too while such a member is Ready,
 *   so a restart does not report its pods as gone.
 * - **Shares shrink before they grow.** Writes go in two rounds: members whose share shrinks (or
 *   stays), then members whose share grows. Growing waits for another pass while any member has
 *   not observed its own spec or a share was just taken away (either part of it), so two members
 *   never act on the same budget at once. When the first round changes nobody's grant (a new
 *   workload's paused members), both rounds go at once.
 * - **Never take over.** A member holding an unmanaged Deployment of the same name gets no write
 *   and is reported as a conflict.
 * - **Nothing is sent when nothing changed**: a member whose Deployment already holds every field
 *   of the applied configuration gets no write.
 * - **Surge only where it fits**: the scheduler publishes, for the workload's generation, room for
 *   surge pods in every eligible member; until it has, no surge is handed out. Members stalled for
 *   lack of room are reported in the status (the scheduler lends their replicas elsewhere); when
 *   no member has room the rollout says what is short where, and after progressDeadlineSeconds of
 *   waiting reports ProgressDeadlineExceeded as a Deployment would.
 */
import type { ConditionInput, FederatedDeployment, FederatedDeploymentStatus } from "@spillway/api";
import {
  appliedIn,
  mayCreate,
  memberTemplate,
  templateHash,
  unseenMembers,
  type MemberSight,
  type MemberWrite as SharedMemberWrite,
  type WorkloadDecision,
} from "@spillway/rules";
import { resolveIntOrPercent } from "@spillway/resources";
import { fleetStatus, type MemberStatus } from "./fleet-status.ts";
import type { LiveDeployment } from "./live-deployment.ts";
import { MANAGED_BY, MANAGER, memberDeployment, TEMPLATE_HASH, type DeploymentObject } from "./member-deployment.ts";
import { fleetBudget, planRollout, withRoom, type MemberObservation, type MemberPlan, type StalledMember } from "./rollout-plan.ts";

/** Room for surge pods in one member, as the scheduler published it. */
export interface MemberRoom {
  pods: number;
  /** What is short there when no pod fits. */
  short?: string;
}

/** A member as fleet-root sees it: the shell's sight of it and the managed Deployment there. */
export interface MemberView extends MemberSight {
  /** The managed Deployment of this workload there, if any. */
  deployment: LiveDeployment | undefined;
}

export interface PropagationInput {
  fd: Pick<FederatedDeployment, "spec" | "status"> & { namespace: string; name: string; generation: number };
  /** Replicas per member from the Placement, in placement order (IDC first); undefined before the scheduler placed it. */
  placement: Array<{ name: string; replicas: number }> | undefined;
  /** Every member that is placed, Ready, or holds a Deployment of the workload. */
  members: MemberView[];
  /**
   * The scheduler's room for surge pods per eligible member, for the workload's current
   * generation; "unknown" until it is published; undefined where room does not limit surge.
   */
  room?: ReadonlyMap<string, MemberRoom> | "unknown";
  nowMs: number;
}

type MemberWrite = SharedMemberWrite<DeploymentObject>;

/**
 * The shared decision (`WorkloadDecision`): `rounds` are the members whose share shrinks or stays,
 * then the members whose share grows (in the first round already when the first changes nobody's
 * grant); `retrySoon` also when the growing writes wait for the next pass.
 */
export interface PropagationDecision extends WorkloadDecision<Omit<FederatedDeploymentStatus, "conditions">, DeploymentObject> {
  rounds: [MemberWrite[], MemberWrite[]];
  /** The growing writes wait for the next pass: a member has not observed its spec, or a share was just taken away. */
  growDeferred: boolean;
  /** Members whose old pods cannot be replaced where they are: the scheduler lends their replicas. */
  stalled: StalledMember[];
  members: MemberStatus[];
}

/** The members to look at, in the order budget is handed out: placement order, then drained members by name. */
export function memberOrder(placement: PropagationInput["placement"], holding: Iterable<string>): string[] {
  const targets = (placement ?? []).map((c) => c.name);
  const rank = (c: string) => {
    const i = targets.indexOf(c);
    return i < 0 ? targets.length : i;
  };
  return [...new Set([...targets, ...holding])].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

export function decidePropagation(input: PropagationInput): PropagationDecision {
  const { fd } = input;
  const targets = new Map((input.placement ?? []).map((c) => [c.name, c.replicas]));
  const unseen = unseenMembers(
    // A fenced member is declared gone for good: nothing there holds the rollout back.
    input.members.map((m) => ({ ...m, registered: !!m.info && !m.fenced })),
    (name) => targets.has(name),
  );
  const views = memberOrder(
    input.placement,
    input.members.filter((m) => m.deployment).map((m) => m.name),
  ).map(
    (name) =>
      input.members.find((m) => m.name === name) ?? {
        name,
        info: undefined,
        ready: false,
        fenced: false,
        connected: false,
        synced: false,
        deployment: undefined,
      },
  );

  const observations: MemberObservation[] = withRoom(
    views.map((v) => observe(v, fd, targets.get(v.name) ?? 0)),
    input.room,
  );
  const rollout = {
    members: observations,
    roomUnknown: input.room === "unknown",
    maxSurge: fd.spec.strategy?.rollingUpdate?.maxSurge,
    maxUnavailable: fd.spec.strategy?.rollingUpdate?.maxUnavailable,
    recreate: fd.spec.strategy?.type === "Recreate",
    paused: fd.spec.paused ?? false,
  };
  const plan = planRollout(rollout);
  const plans = plan.members;

  const effective = (p: MemberPlan) => (p.paused ? { surge: 0, unavailable: 0 } : { surge: p.maxSurge, unavailable: p.maxUnavailable });
  const share = (p: MemberPlan) => effective(p).surge + effective(p).unavailable;
  const before = (o: MemberObservation) => o.grantedSurge + o.grantedUnavailable;
  const conflicts = views.filter((v) => v.lookup === "foreign").map((v) => v.name);
  const retrySoon = views.some((v) => v.lookup === "failed");
  const rounds: [MemberWrite[], MemberWrite[]] = [[], []];
  let growDeferred = false;
  if (unseen.length === 0) {
    const first: Array<{ w: MemberWrite; neutral: boolean; shrinks: boolean }> = [];
    const grow: MemberWrite[] = [];
    plans.forEach((p, i) => {
      const v = views[i]!;
      const o = observations[i]!;
      const w = writeFor(p, v, o, fd);
      if (!w) return;
      if (share(p) > before(o)) return void grow.push(w);
      const e = effective(p);
      first.push({
        w,
        neutral: e.surge === o.grantedSurge && e.unavailable === o.grantedUnavailable,
        // Budget is taken away when either part of a member's grant goes down.
        shrinks: !!v.deployment && (e.surge < o.grantedSurge || e.unavailable < o.grantedUnavailable),
      });
    });
    const unobserved = views.some(
      (v) => v.deployment && (v.deployment.status?.observedGeneration ?? 0) < (v.deployment.metadata?.generation ?? 0),
    );
    rounds[0] = first.map((f) => f.w);
    if (grow.length && (unobserved || first.some((f) => f.shrinks))) growDeferred = true;
    // When the first round changes nobody's grant (a new workload's paused members), nothing is
    // released for the second to take: both go at once.
    else if (first.every((f) => f.neutral)) rounds[0] = [...rounds[0], ...grow];
    else rounds[1] = grow;
  }

  const members: MemberStatus[] = views.map((v, i) => {
    const d = v.deployment;
    return {
      name: v.name,
      reachable: observations[i]!.reachable,
      exists: !!d,
      current: observations[i]!.templateCurrent,
      replicas: d?.status?.replicas ?? 0,
      updated: d?.status?.updatedReplicas ?? 0,
      ready: d?.status?.readyReplicas ?? 0,
      available: d?.status?.availableReplicas ?? 0,
      deadlineExceeded: (d?.status?.conditions ?? []).some(
        (c) => c.type === "Progressing" && c.status === "False" && c.reason === "ProgressDeadlineExceeded",
      ),
    };
  });
  const holdStatus = unseen.some((m) => m.ready);
  const status = holdStatus
    ? undefined
    : fleetStatus({
        generation: fd.generation,
        previousObserved: fd.status?.observedGeneration,
        members,
        budget: fleetBudget(rollout),
        desired: fd.spec.replicas ?? 1,
        paused: rollout.paused,
        selector: fd.spec.selector,
      });
  const progressing = (c: ConditionInput) => {
    if (status) status.conditions = [...status.conditions.filter((x) => x.type !== "Progressing"), c];
  };
  if (status) {
    const since = plan.waitingForRoom ? (fd.status?.waitingForRoomSince ?? new Date(input.nowMs).toISOString()) : undefined;
    status.status = { ...status.status, stalledClusters: plan.stalled.length ? plan.stalled : undefined, waitingForRoomSince: since };
    const deadline = fd.spec.progressDeadlineSeconds ?? 600;
    const why = since && input.room !== "unknown" ? shortfall(input.room) : "";
    if (since && input.nowMs - Date.parse(since) >= deadline * 1000)
      progressing({
        type: "Progressing",
        status: "False",
        reason: "ProgressDeadlineExceeded",
        message: `rollout waited longer than ${deadline}s for room for a pod of the new template: ${why}`,
      });
    else if (since)
      progressing({
        type: "Progressing",
        status: "True",
        reason: "WaitingForRoom",
        message: `no eligible member has room for a pod of the new template: ${why}`,
      });
  }
  if (!input.placement)
    progressing({
      type: "Progressing",
      status: "Unknown",
      reason: "WaitingForPlacement",
      message: "the scheduler has not placed this workload yet",
    });
  return {
    unseen: unseen.map((m) => m.name),
    rounds,
    growDeferred,
    conflicts,
    retrySoon: retrySoon || growDeferred,
    stalled: plan.stalled,
    status,
    members,
    events: [],
  };
}

/** "idc-1, idc-2: needs 4 cpu per replica; largest free node has 0", grouped by what is short. */
function shortfall(room: ReadonlyMap<string, MemberRoom> | undefined): string {
  const byShort = new Map<string, string[]>();
  for (const [c, r] of room ?? []) if (r.pods === 0) byShort.set(r.short ?? "full", [...(byShort.get(r.short ?? "full") ?? []), c]);
  return [...byShort].map(([short, cs]) => `${cs.join(", ")}: ${short}`).join("; ") || "no member is eligible";
}

/** A member as the rollout plan sees it. */
function observe(v: MemberView, fd: PropagationInput["fd"], target: number): MemberObservation {
  const d = v.deployment;
  const hash = v.info ? templateHash(memberTemplate(fd.spec, v.info)) : "";
  const applied = !!d && d.metadata?.annotations?.[TEMPLATE_HASH] === hash;
  const observed = (d?.status?.observedGeneration ?? 0) >= (d?.metadata?.generation ?? 0);
  // Read from the member this pass and not there: nothing of the workload runs there, so nothing
  // old waits to be replaced, and it starts at its replicas as a new Deployment does. (Ours but
  // not yet in the watch is not this: what it runs is unknown.)
  const empty = !d && v.lookup === "absent";
  return {
    name: v.name,
    target,
    reachable: v.connected && v.synced && v.ready && !!v.info && !v.fenced,
    specReplicas: d?.spec?.replicas,
    pods: d?.status?.replicas ?? 0,
    updated: d?.status?.updatedReplicas ?? 0,
    available: d?.status?.availableReplicas ?? 0,
    templateCurrent: empty || (applied && observed),
    ...(applied && !observed ? { observing: { paused: d?.spec?.paused ?? false } } : {}),
    ...grantOf(d),
  };
}

/** The budget a member Deployment's spec lets it use now: none while paused. */
function grantOf(d: LiveDeployment | undefined): Pick<MemberObservation, "grantedSurge" | "grantedUnavailable"> {
  const ru = d?.spec?.strategy?.rollingUpdate;
  const replicas = d?.spec?.replicas ?? 0;
  if (!d || d.spec?.paused) return { grantedSurge: 0, grantedUnavailable: 0 };
  return {
    grantedSurge: resolveIntOrPercent(ru?.maxSurge, replicas, true, 0),
    grantedUnavailable: resolveIntOrPercent(ru?.maxUnavailable, replicas, false, 0),
  };
}

/** The write that brings the member to its plan, or undefined when it already holds it. */
function writeFor(p: MemberPlan, v: MemberView, o: MemberObservation, fd: PropagationInput["fd"]): MemberWrite | undefined {
  // Nothing written reaches an unreachable member; its share is kept for it. A member that holds
  // someone else's Deployment of this name, or could not be looked up, gets nothing either.
  if (!o.reachable || !v.info) return undefined;
  if (p.remove)
    return v.deployment
      ? {
          cluster: v.name,
          action: "delete",
          event: { type: "Normal", reason: "RemovedMember", note: `Removed member Deployment from ${v.name}: no replicas placed there` },
        }
      : undefined;
  if (!v.deployment && (p.replicas === 0 || !mayCreate(v.lookup))) return undefined;
  const object = memberDeployment({ namespace: fd.namespace, name: fd.name, spec: fd.spec }, v.info, p);
  // The pod template is compared by its hash (the API server rewrites quantities and adds
  // defaults inside it); everything else by value.
  const { template: _t, ...rest } = object.spec;
  if (
    v.deployment &&
    v.deployment.metadata?.labels?.[MANAGED_BY] === MANAGER &&
    appliedIn({ metadata: object.metadata, spec: rest }, v.deployment)
  )
    return undefined;
  return {
    cluster: v.name,
    action: "apply",
    object,
    create: !v.deployment,
    ...scaling(v.name, v.deployment?.spec?.replicas ?? 0, p.replicas),
  };
}

/** A member Deployment's size changing, as a Deployment reports its ReplicaSets' (ScalingReplicaSet). */
function scaling(cluster: string, from: number, to: number): Pick<MemberWrite, "scaled"> {
  if (from === to) return {};
  return { scaled: { cluster, from: String(from), to: String(to), way: to > from ? "up" : "down" } };
}
