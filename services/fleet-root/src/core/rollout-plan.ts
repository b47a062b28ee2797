/**
 * The federated rollout as one Deployment would do it: the fleet-wide surge budget S (maxSurge of
 * the federated total, rounded up) and unavailability budget U (maxUnavailable, rounded down) are
 * handed out to the member Deployments as integer maxSurge/maxUnavailable each reconcile, so that
 *
 *   Σ pods ≤ R + S   and   Σ available ≥ R − U   hold across the fleet at every moment.
 *
 * Each member's own Deployment controller then keeps its share: it never has more pods than its
 * replicas + its maxSurge, nor fewer available than its replicas − its maxUnavailable. A member
 * keeps the part of its current share it may still use (judged so that stale member status errs
 * on the safe side; the kept shares never add up to more than the budget); what is free goes, in
 * placement order, to members with updates still to make, up to what each can use. A member with
 * old pods to replace and no budget is paused, because a Deployment cannot say "maxSurge 0 and
 * maxUnavailable 0".
 *
 * Replica changes follow the same budgets: members grow while total pods stay within R + S, and
 * shrink (a member dropped from the placement, or replicas moved) while available pods stay at
 * least R − U, so moving replicas between members is itself a rolling operation.
 *
 * Surge goes only where it can run: a member gets no more surge than the scheduler's room for pods
 * of the new template there (less what the room may not count yet: its pods not yet running, the
 * share it already holds). A member with old pods that gets no share because it has no room, while surge
 * budget is left over, is reported stalled: the scheduler then lends its replicas to members with
 * room, and the replica-change rules above move them within the bounds.
 */
import { resolveIntOrPercent } from "@spillway/resources";

export interface MemberObservation {
  name: string;
  /** Replicas the Placement gives this member (0 when it was dropped). */
  target: number;
  /** False when the member cannot be reached: its pods count as unavailable. */
  reachable: boolean;
  /** The member Deployment's current spec.replicas; undefined when it does not exist. */
  specReplicas: number | undefined;
  /** status.replicas, updatedReplicas, availableReplicas of the member Deployment. */
  pods: number;
  updated: number;
  available: number;
  /** True when the member Deployment runs the current template (no old pods to replace). */
  templateCurrent: boolean;
  /**
   * Its spec holds the current template but it has not observed its last write yet: it keeps
   * what its spec gives it (share and pause) until it has, since its status may count for an
   * older spec. Without this, each write to a finished member would read as new work and be
   * answered by another write.
   */
  observing?: { paused: boolean };
  /** The maxSurge / maxUnavailable its spec holds now (0 when it does not exist). */
  grantedSurge: number;
  grantedUnavailable: number;
  /**
   * Pods of the new template that fit there now beyond its replicas (the scheduler's room);
   * undefined when room does not limit surge.
   */
  room?: number;
}

export interface MemberPlan {
  name: string;
  replicas: number;
  maxSurge: number;
  maxUnavailable: number;
  paused: boolean;
  /** Drained and holding no pods: the member Deployment can go. */
  remove: boolean;
}

/** A member whose old pods cannot be replaced where they are, with surge budget left over. */
export interface StalledMember {
  name: string;
  /** Replicas to place elsewhere for now: its old pods, at most the fleet's surge budget. */
  replicas: number;
  /** Its replicas in the placement this was judged against. */
  placedReplicas: number;
}

export interface RolloutPlan {
  members: MemberPlan[];
  stalled: StalledMember[];
  /** Nothing moves: members with old pods are stalled and no member has room for them. */
  waitingForRoom: boolean;
}

export interface RolloutInput {
  members: MemberObservation[];
  /**
   * The scheduler has not published room for this generation yet: no surge is handed out (room
   * reads 0) and nothing is reported stalled until it has.
   */
  roomUnknown?: boolean;
  maxSurge: number | string | undefined;
  maxUnavailable: number | string | undefined;
  recreate: boolean;
  paused: boolean;
}

export interface FleetBudget {
  total: number;
  surge: number;
  unavailable: number;
}

export function fleetBudget(input: Pick<RolloutInput, "members" | "maxSurge" | "maxUnavailable" | "recreate">): FleetBudget {
  const total = input.members.reduce((s, m) => s + m.target, 0);
  if (input.recreate) return { total, surge: 0, unavailable: total };
  return {
    total,
    surge: resolveIntOrPercent(input.maxSurge, total, true, "25%"),
    unavailable: resolveIntOrPercent(input.maxUnavailable, total, false, "25%"),
  };
}

export function planRollout(input: RolloutInput): RolloutPlan {
  const { total: R, surge: S, unavailable: U } = fleetBudget(input);
  const ms = input.members;
  const spec = ms.map((m) => m.specReplicas ?? 0);
  // What each member holds: pods we cannot see are assumed to exist and to be unavailable.
  const pods = ms.map((m, i) => (m.reachable ? m.pods : Math.max(m.pods, spec[i]!)));
  const avail = ms.map((m) => (m.reachable ? m.available : 0));

  // Replica changes: grow within R + S pods, shrink while R − U stay available. A member may at
  // any moment make as many pods as its replicas and granted surge allow, and drop to its replicas
  // less its granted unavailability: growth and shrinking are judged against those worst cases.
  const replicas = [...spec];
  const old = ms.map((m, i) => Math.max(0, pods[i]! - m.updated));
  // Old pods to replace; until a member runs the current template we cannot tell old from new.
  const hasOld = ms.map((m, i) => !m.templateCurrent || old[i]! > 0);
  // Giving replicas up (it lent, or was dropped from the placement).
  const leaving = ms.map((m, i) => spec[i]! > m.target);
  // Only a member with old pods to replace uses its grant (one ReplicaSet just takes its replicas).
  const granted = ms.map((m, i) => (m.reachable && hasOld[i] ? m : { grantedSurge: 0, grantedUnavailable: 0 }));
  let podRoom = R + S - ms.reduce((s, _m, i) => s + Math.max(pods[i]!, spec[i]! + granted[i]!.grantedSurge), 0);
  let availRoom = ms.reduce((s, _m, i) => s + Math.min(avail[i]!, Math.max(0, spec[i]! - granted[i]!.grantedUnavailable)), 0) - (R - U);
  // A member holding two templates changes size only once it holds one: a Deployment scales both
  // ReplicaSets in proportion (old pods too, available or not) and by its surge share as well.
  const mixed = ms.map((m, i) => m.updated > 0 && m.updated < pods[i]!);
  ms.forEach((m, i) => {
    if (m.target > spec[i]! && m.reachable && !mixed[i]) {
      const grow = Math.min(m.target - spec[i]!, Math.max(0, podRoom));
      replicas[i] = spec[i]! + grow;
      podRoom -= grow;
    }
  });
  ms.forEach((m, i) => {
    if (m.target < spec[i]! && m.reachable && !mixed[i]) {
      // Replicas that are not available can go at no cost to availability: pods not ready, and
      // replicas the member has not made pods for (a Deployment drained while still paused).
      const unavailableHere = Math.max(0, Math.max(pods[i]!, spec[i]!) - avail[i]!);
      const free = Math.min(spec[i]! - m.target, unavailableHere);
      const shrink = Math.min(spec[i]! - m.target, free + Math.max(0, availRoom));
      replicas[i] = spec[i]! - shrink;
      availRoom -= Math.max(0, shrink - free);
    }
  });

  // Rollout budgets over the replica counts just decided.
  const surgeUsed = ms.map((_m, i) => Math.max(0, pods[i]! - replicas[i]!));
  const unavailUsed = ms.map((_m, i) => Math.max(0, replicas[i]! - avail[i]!));
  // What a member may still use of its share, judged so that stale status errs on the safe side.
  // Member status is assembled from ReplicaSet statuses, which trail the pods: an old pod is still
  // counted (and as available) for a moment after it is deleted, a new one not yet counted after
  // it is created. Old pods as counted are therefore never fewer than there are, and a Deployment
  // holds (real) surge ≤ old pods and unavailability ≤ what is unavailable now + old pods it may
  // still delete. Until the member runs the current template we cannot tell old from new, so it
  // keeps its whole share. What a member keeps never exceeds what its spec grants, nor do the
  // kept shares add up to more than the fleet budget; unreachable members come first, since
  // nothing we write reaches them.
  const moving = ms.map((m) => !m.reachable || !m.templateCurrent);
  const order = ms.map((_m, i) => i).sort((a, b) => Number(ms[a]!.reachable) - Number(ms[b]!.reachable));
  const keptSurge = keep(
    order,
    ms.map((m, i) => (moving[i] ? m.grantedSurge : Math.min(old[i]!, m.grantedSurge))),
    S,
  );
  const keptUnavail = keep(
    order,
    ms.map((m, i) => (moving[i] ? m.grantedUnavailable : Math.min(unavailUsed[i]! + old[i]!, m.grantedUnavailable))),
    U,
  );
  // Free is what is neither in use nor kept. While replicas move between members the fleet holds
  // more replicas than R (grown ahead of a shrink: that uses surge room) or fewer (shrunk ahead of
  // growth: each missing replica is one unavailable pod).
  const placed = replicas.reduce((a, b) => a + b, 0);
  let surgeFree = S - Math.max(0, placed - R) - ms.reduce((sum, _m, i) => sum + Math.max(surgeUsed[i]!, keptSurge[i]!), 0);
  let unavailFree = U - Math.max(0, R - placed) - ms.reduce((sum, _m, i) => sum + Math.max(unavailUsed[i]!, keptUnavail[i]!), 0);
  const plans = ms.map((m, i) => {
    const n = replicas[i]!;
    const toUpdate = m.templateCurrent ? Math.max(0, n - m.updated) : n;
    // The room the scheduler saw may not count this member's pods that are not running yet, nor
    // the surge pods its kept share has yet to make: neither is offered twice.
    const unseen = Math.max(0, pods[i]! - avail[i]!) + Math.max(0, keptSurge[i]! - surgeUsed[i]!);
    const room = m.room === undefined ? Infinity : Math.max(0, m.room - unseen);
    // A member that has not observed its last write keeps what its spec gives it.
    const observing = m.observing && m.reachable && !input.paused ? m.observing : undefined;
    let s = keptSurge[i]!;
    let u = keptUnavail[i]!;
    // A member giving replicas up gets no new share until it has: new pods there would make it
    // hold two templates, which holds its shrink (and the loan) until its own rollout is done. One
    // that holds two templates already (it lent mid-rollout) shrinks only once its rollout is
    // done, so it gets its share: without one it would wait on itself for ever.
    // Only where old pods wait: a member with none makes its new pods within its replicas.
    if (!observing && m.reachable && hasOld[i] && toUpdate > 0 && !input.paused && (!leaving[i] || mixed[i])) {
      const addS = Math.min(Math.max(0, surgeFree), toUpdate, room);
      const addU = Math.min(Math.max(0, unavailFree), toUpdate);
      s += addS;
      u += addU;
      surgeFree -= addS;
      unavailFree -= addU;
    }
    const stuck = s === 0 && u === 0;
    return {
      name: m.name,
      replicas: n,
      // A Deployment refuses maxSurge 0 with maxUnavailable 0; a member with nothing old to
      // replace never uses maxUnavailable, and one with old pods and no budget is paused.
      maxSurge: s,
      maxUnavailable: stuck ? 1 : u,
      paused: observing ? observing.paused : input.paused || (stuck && hasOld[i]! && n > 0),
      remove: !observing && m.target === 0 && n === 0 && (m.specReplicas === undefined || pods[i] === 0),
    };
  });
  // Stalled: old pods, no share, no room for a surge pod, though surge budget is left unused. It
  // asks for a whole surge budget: a loan's new pods start as the budget frees, so a loan of what
  // happens to be free now would take one round trip per sliver.
  // Not a member whose replicas are still on their way out (it lent already): that frees room
  // there, and a report made before it lands would lend again what the member is about to have.
  const stalled: StalledMember[] =
    input.paused || input.roomUnknown || surgeFree <= 0
      ? []
      : ms.flatMap((m, i) => {
          const p = plans[i]!;
          if (!m.reachable || !hasOld[i] || !p.paused || leaving[i] || m.room === undefined || m.room > 0 || p.replicas === 0) return [];
          const oldHere = m.templateCurrent ? old[i]! : pods[i]!;
          return [{ name: m.name, replicas: Math.min(oldHere, S), placedReplicas: m.target }];
        });
  const rolling = ms.some((m, i) => m.reachable && hasOld[i] && !plans[i]!.paused);
  const still = !rolling && replicas.every((n, i) => n === spec[i]);
  const roomSomewhere = ms.some((m) => (m.room ?? 0) > 0);
  return { members: plans, stalled, waitingForRoom: stalled.length > 0 && still && !roomSomewhere };
}

/** Where the scheduler's room for surge pods is not yet known, none is assumed. */
export function withRoom(
  members: MemberObservation[],
  room: ReadonlyMap<string, { pods: number }> | "unknown" | undefined,
): MemberObservation[] {
  if (room === undefined) return members;
  return members.map((m) => ({ ...m, room: room === "unknown" ? 0 : (room.get(m.name)?.pods ?? 0) }));
}

/** Each member keeps what it may keep, in `order`, until `budget` is spent. */
function keep(order: number[], used: number[], budget: number): number[] {
  const kept = used.map(() => 0);
  let left = budget;
  for (const i of order) {
    kept[i] = Math.min(used[i]!, Math.max(0, left));
    left -= kept[i]!;
  }
  return kept;
}
