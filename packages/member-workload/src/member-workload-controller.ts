/**
 * The shell every controller of a federated workload shares (fleet-root's FederatedDeployments,
 * the stateful-orchestrator's FederatedStatefulSets), on the kit's reconcile template:
 *
 *   observe — watch every member that may hold the workload (placed, held before, or Ready; never
 *     a fenced one), see each member's managed object, and where one is to be made, look whether
 *     someone else's of that name is there;
 *   decide — the kind's pure core, over those views;
 *   apply — nothing while a member that may hold the workload is unseen since start; otherwise
 *     the core's rounds in order, each in parallel; a refusal is reported, a conflict retried;
 *     then the pass's Events (one ScalingMember for every member scaled), in the background;
 *   status — the core's conditions plus the member-facing ones (`MemberConflict`, `Scheduled`,
 *     `MemberWriteFailed`), then progress on the bus;
 *   finalize — every member at once, a fenced one skipped (declared gone for good).
 *
 * A controller is then the binding of its kind (`MemberWorkloadKind`) to its core.
 */
import type { KubeObject, MemberCluster, Placement } from "@spillway/api";
import { rolloutProgress, type RolloutProgress } from "@spillway/bus";
import {
  Controller,
  isConflict,
  memberChangeFilter,
  reconciler,
  setCondition,
  watch,
  type CachedSource,
  type EventType,
  type MemberObjects,
  type ObjectClient,
} from "@spillway/kit";
import {
  dependenciesCondition,
  dependenciesReady,
  dependencyConflicts,
  recheckedVerdict,
  judgeDependencies,
  isMemberReady,
  memberLabels,
  memberProblemEvents,
  memberWorkloadConditions,
  placementName,
  scalingEvent,
  watchedMembers,
  type MemberObject,
  type MemberSight,
  type WorkloadDecision,
  type WorkloadKind,
  type DependencyConflict,
  type DependencyVerdict,
} from "@spillway/rules";
import { errorFields, type Logger } from "@spillway/telemetry";
import type { MemberObjectRef, MemberWriter } from "./member-writer.ts";
import { podDependencies, sightDependencies, type HostObjects } from "./dependency-sight.ts";

/** What the shell needs of a workload object. */
type Workload<S> = KubeObject<unknown, S> & { metadata: { namespace?: string; name?: string; generation?: number } };
type Annotated = { metadata?: { name?: string; namespace?: string; annotations?: Record<string, string> } };

/** How one workload kind binds to the shell: its names, its member object, its core. */
export interface MemberWorkloadKind<W extends Workload<S>, S, V extends MemberSight, D extends WorkloadDecision<S>> {
  /** The controller's name in logs and metrics, e.g. `federated-deployment`. */
  controller: string;
  kind: WorkloadKind;
  /** The member object the workload becomes, e.g. `{ apiVersion: "apps/v1", kind: "Deployment" }`. */
  memberKind: { apiVersion: string; kind: string };
  finalizer: string;
  /** The annotation on member objects (and pods) that names their workload as `namespace/name`. */
  ownerAnnotation: string;
  /** Members the workload ran in before (from its status): they must be seen before anything is written. */
  heldBefore(w: W): string[];
  /** What the controller made beside the member object, removed with it when the workload goes. */
  companions?(w: W): MemberObjectRef[];
  /** The kind's view of one member: the shell's sight plus its cached objects. */
  view(w: W, sight: MemberSight): V;
  /** The kind's pure core. */
  decide(w: W, observed: { placement: Placement | undefined; members: V[] }, nowMs: number): D;
  /** Called for each member object applied, with the generation the member gave it. */
  applied?(w: W, write: Extract<D["rounds"][number][number], { action: "apply" }>, generation: number): void;
  requeueMs: { retrySoon: number; progressing: number };
  /** Reconciles in flight; they mostly wait on member API calls. */
  concurrency: number;
}

export interface MemberWorkloadDeps<W> {
  client: ObjectClient<W & KubeObject<unknown, unknown>>;
  cache: CachedSource<W>;
  placements: CachedSource<Placement>;
  members: CachedSource<MemberCluster>;
  /** The member objects the controller manages (a label-selected watch in each member). */
  objects: MemberObjects<Annotated>;
  /** Further member watches whose changes move a workload on (its pods), found by the same annotation. */
  related?: MemberObjects<Annotated>[];
  /**
   * Member watches of objects that carry no annotation (a StatefulSet's volume claims, made by the
   * member from templates that cannot change): `owners` names their workloads (`namespace/name`).
   */
  relatedBy?: Array<{ objects: MemberObjects<Annotated>; owners(o: Annotated): string[] }>;
  writer: MemberWriter;
  /**
   * Where the objects the workload's pods need are looked for before it is written to a member
   * (ADR 0009): the dependency follower's copies there, and their sources on the host. Absent:
   * no look (the workload is written as it comes).
   */
  dependencies?: { copies: Pick<MemberWriter, "read">; host: HostObjects };
  publish: (progress: RolloutProgress) => void;
  events?: { record(obj: W, type: EventType, reason: string, note: string): Promise<void> };
  /** Counts calls to member API servers, by verb (metrics). */
  countMemberCall?: (verb: "read" | "apply" | "delete" | "namespace") => void;
  log: Logger;
  resyncPeriodMs?: number;
}

interface Applied {
  retrySoon: boolean;
  /** What members refused, one line per member (e.g. a field a StatefulSet cannot change). */
  failures: string[];
  /** What each member written to this pass lacked, or held as its own, of what the pods need. */
  dependencies: Map<string, DependencyVerdict>;
  /** Members the workload stays out of for a conflict: looked at again soon. */
  keptOut: boolean;
}

/** How soon a member kept out for a conflict is looked at again (nothing watches the member's own objects). */
const RECHECK_CONFLICTS_MS = 5_000;

const conflictsOf = (w: { status?: unknown }): DependencyConflict[] =>
  (w.status as { dependencyConflicts?: DependencyConflict[] } | undefined)?.dependencyConflicts ?? [];

/** The parts of a member workload's spec that carry its share of the fleet's budgets. */
function handed(object: unknown): Record<string, unknown> {
  const spec = (object as { spec?: Record<string, unknown> }).spec ?? {};
  return { replicas: spec["replicas"], paused: spec["paused"], strategy: spec["strategy"] ?? spec["updateStrategy"] };
}

const keyOf = (namespace: string | undefined, name: string | undefined) => `${namespace}/${name}`;

/** A workload as the cores take it: plain data, its name and generation beside its spec and status. */
export const workloadFacts = <
  W extends { metadata: { namespace?: string; name?: string; generation?: number }; spec: unknown; status?: unknown },
>(
  w: W,
) => ({
  namespace: w.metadata.namespace!,
  name: w.metadata.name!,
  generation: w.metadata.generation ?? 0,
  spec: w.spec as W["spec"],
  status: w.status as W["status"],
});

/** The reconcile function alone, for unit tests that drive it key by key. */
export function memberWorkloadReconciler<W extends Workload<S>, S, V extends MemberSight, D extends WorkloadDecision<S>>(
  kind: MemberWorkloadKind<W, S, V, D>,
  deps: MemberWorkloadDeps<W>,
) {
  const { members, log } = deps;
  const watches = [deps.objects, ...(deps.related ?? []), ...(deps.relatedBy ?? []).map((r) => r.objects)];
  const logFields = (w: W, cluster?: string) => ({
    controller: kind.controller,
    namespace: w.metadata.namespace,
    name: w.metadata.name,
    ...(cluster ? { cluster } : {}),
  });
  const ref = (w: W): MemberObjectRef => ({ ...kind.memberKind, namespace: w.metadata.namespace!, name: w.metadata.name! });
  const placementOf = (w: W) => deps.placements.get(placementName(kind.kind, w.metadata.name!), w.metadata.namespace!);

  async function observe(w: W) {
    const ns = w.metadata.namespace!;
    const name = w.metadata.name!;
    const placement = placementOf(w);
    const targets = new Set((placement?.spec.clusters ?? []).filter((c) => c.replicas > 0).map((c) => c.name));
    const held = new Set(kind.heldBefore(w));
    const all = members.list().map((m) => ({ m, name: m.metadata.name!, fenced: m.spec.fenced === true, ready: isMemberReady(m) }));
    const watched = watchedMembers(all, (c) => targets.has(c) || held.has(c));
    await Promise.all(
      watched.map(async ({ m }) => {
        try {
          await Promise.all(watches.map((o) => o.ensure(m)));
        } catch (err) {
          log.warn({ ...logFields(w, m.metadata.name), ...errorFields(err) }, "no client for member");
        }
      }),
    );
    const candidates = new Set([...watched.map((x) => x.name), ...targets, ...held, ...deps.objects.clustersHolding(name, ns)]);
    const views = [...candidates].map((c) => {
      const m = members.get(c);
      const caches = watches.map((o) => o.cache(c));
      return kind.view(w, {
        name: c,
        info: m && { name: c, labels: memberLabels(m) },
        ready: !!m && isMemberReady(m),
        fenced: m?.spec.fenced === true,
        connected: caches.every((x) => !!x),
        synced: caches.every((x) => x?.synced ?? false),
      });
    });
    // The watch holds only managed objects: where one is to be made, look whether someone else's
    // of that name is there (every member at once).
    await Promise.all(
      views
        .filter((v) => !hasObject(deps.objects, v.name, ns, name) && v.connected && v.synced && v.ready && targets.has(v.name))
        .map(async (v) => {
          try {
            deps.countMemberCall?.("read");
            const found = await deps.writer.read(members.get(v.name)!, ref(w));
            v.lookup = !found ? "absent" : found.managed ? "ours" : "foreign";
          } catch (err) {
            v.lookup = "failed";
            log.warn({ ...logFields(w, v.name), ...errorFields(err) }, `cannot look up member ${kind.memberKind.kind}`);
          }
        }),
    );
    return { placement, members: views };
  }

  /**
   * Carries out one write; resolves to what the member refused, "" for a conflict or a write held
   * until the member holds what the pods need, undefined when done.
   */
  async function write(
    w: W,
    mw: D["rounds"][number][number],
    verdicts: Map<string, DependencyVerdict>,
    done: Set<D["rounds"][number][number]>,
  ): Promise<string | undefined> {
    const member = members.get(mw.cluster);
    if (!member) return undefined;
    try {
      if (mw.action === "apply" && deps.dependencies) {
        const template = (mw.object as { spec?: { template?: Parameters<typeof podDependencies>[0] } }).spec?.template;
        const { copies, host } = deps.dependencies;
        const refs = await podDependencies(template, w.metadata.namespace!, host);
        if (refs.length) {
          const verdict = judgeDependencies(await sightDependencies(member, w.metadata.namespace!, refs, copies, host));
          verdicts.set(mw.cluster, verdict);
          if (!dependenciesReady(verdict)) return "";
        }
      }
      if (mw.action === "delete") {
        deps.countMemberCall?.("delete");
        await deps.writer.delete(member, mw.ref ? { ...mw.ref, namespace: w.metadata.namespace! } : ref(w));
        done.add(mw);
        return undefined;
      }
      if (mw.create) {
        deps.countMemberCall?.("namespace");
        await deps.writer.ensureNamespace(member, w.metadata.namespace!);
      }
      for (const needed of mw.needs ?? []) await deps.writer.ensure(member, needed);
      deps.countMemberCall?.("apply");
      const generation = await deps.writer.apply(member, mw.object);
      // What each member was handed, in order: the trail a broken fleet bound is read back from.
      log.debug({ ...logFields(w, mw.cluster), generation, ...handed(mw.object) }, `member ${kind.memberKind.kind} applied`);
      done.add(mw);
      kind.applied?.(w, mw as Extract<typeof mw, { action: "apply" }>, generation);
      return undefined;
    } catch (err) {
      // A conflict only means our cache was behind; the next pass, moments later, has the update.
      if (isConflict(err)) return "";
      log.warn({ ...logFields(w, mw.cluster), ...errorFields(err) }, "member write failed; will retry");
      return `${mw.cluster}: ${(err as { body?: { message?: string } }).body?.message ?? (err instanceof Error ? err.message : String(err))}`;
    }
  }

  /**
   * A member the workload is kept out of for a conflict, looked at again with the workload's own
   * template: undefined when it cannot be read now (the last verdict stands).
   */
  async function recheck(w: W, cluster: string): Promise<DependencyVerdict | undefined> {
    const member = members.get(cluster);
    if (!member || !deps.dependencies) return { waiting: [], conflicts: [] };
    const { copies, host } = deps.dependencies;
    try {
      const template = (w as { spec?: { template?: Parameters<typeof podDependencies>[0] } }).spec?.template;
      const refs = await podDependencies(template, w.metadata.namespace!, host);
      return recheckedVerdict(judgeDependencies(await sightDependencies(member, w.metadata.namespace!, refs, copies, host)));
    } catch (err) {
      log.warn({ ...logFields(w, cluster), ...errorFields(err) }, "cannot look at the member's conflicting objects again yet");
      return undefined;
    }
  }

  async function apply(w: W, d: D): Promise<Applied> {
    const verdicts = new Map<string, DependencyVerdict>();
    if (d.unseen.length) {
      log.debug({ ...logFields(w), clusters: d.unseen }, "holding member writes until these members have been listed");
      return { retrySoon: d.retrySoon, failures: [], dependencies: verdicts, keptOut: conflictsOf(w).length > 0 };
    }
    const outcomes: Array<string | undefined> = [];
    const done = new Set<D["rounds"][number][number]>();
    for (const round of d.rounds) outcomes.push(...(await Promise.all(round.map((mw) => write(w, mw, verdicts, done)))));
    for (const { name } of conflictsOf(w)) {
      if (verdicts.has(name)) continue;
      const v = await recheck(w, name);
      if (v) verdicts.set(name, v);
    }
    const failures = outcomes.filter((x): x is string => !!x);
    const problems = memberProblemEvents({
      memberKind: kind.memberKind.kind,
      name: w.metadata.name!,
      conflicts: d.conflicts,
      dependencyConflicts: verdicts,
      writeFailures: failures,
    });
    const written = d.rounds.flat().filter((mw) => done.has(mw));
    const scaled = scalingEvent(
      kind.memberKind.kind,
      written.flatMap((mw) => mw.scaled ?? []),
    );
    // Recorded off the reconcile's path, as client-go's recorder does: an Event is a courtesy, and
    // waiting on its create would add a host round trip to every pass.
    for (const e of [...written.flatMap((mw) => mw.event ?? []), ...(scaled ? [scaled] : []), ...d.events, ...problems])
      void deps.events?.record(w, e.type, e.reason, e.note);
    return {
      retrySoon: d.retrySoon || outcomes.some((x) => x !== undefined),
      failures,
      dependencies: verdicts,
      keptOut: dependencyConflicts(conflictsOf(w), verdicts).length > 0,
    };
  }

  /** Removes what the controller made for `w` in every member but a fenced one; true once nothing is left. */
  async function finalize(w: W): Promise<boolean> {
    const results = await Promise.all(
      members.list().map(async (m) => {
        if (m.spec.fenced) return true;
        try {
          await deps.writer.delete(m, ref(w), true);
          for (const c of kind.companions?.(w) ?? []) await deps.writer.delete(m, c, true);
          return true;
        } catch (err) {
          log.warn({ ...logFields(w, m.metadata.name), ...errorFields(err) }, `cannot remove member ${kind.memberKind.kind} yet`);
          return false;
        }
      }),
    );
    return results.every(Boolean);
  }

  return reconciler<W, S, Awaited<ReturnType<typeof observe>>, D, Applied>({
    cache: deps.cache,
    client: deps.client as unknown as ObjectClient<W>,
    finalizer: kind.finalizer,
    finalize,
    observe,
    decide: (w, o) => kind.decide(w, o, Date.now()),
    apply,
    status: (latest, d, applied) => {
      if (!d.status) return undefined;
      const member = memberWorkloadConditions({
        memberKind: kind.memberKind.kind,
        namespace: latest.metadata.namespace!,
        name: latest.metadata.name!,
        conflicts: d.conflicts,
        placement: placementOf(latest),
        writeFailures: applied.failures,
      });
      // Judged only where something was written (or a kept-out member looked at) this pass;
      // otherwise the last verdict stands.
      let kept = conflictsOf(latest);
      if (applied.dependencies.size) {
        member.push(dependenciesCondition(latest.metadata.namespace!, applied.dependencies));
        kept = dependencyConflicts(kept, applied.dependencies);
      }
      let conditions = (latest.status as { conditions?: Parameters<typeof setCondition>[0] } | undefined)?.conditions;
      for (const c of [...d.status.conditions, ...member])
        conditions = setCondition(conditions, { ...c, observedGeneration: latest.metadata.generation });
      const { dependencyConflicts: _before, ...rest } = { ...(latest.status as object), ...(d.status.status as object) } as {
        dependencyConflicts?: unknown;
      };
      return { ...rest, conditions, ...(kept.length ? { dependencyConflicts: kept } : {}) } as S;
    },
    afterStatus: (w, d, _applied, written) => {
      if (!written || !d.status) return;
      deps.publish(rolloutProgress(w, d.status.status as Parameters<typeof rolloutProgress>[1], d.status.complete));
    },
    requeueAfterMs: (d, a) =>
      Math.min(
        d.unseen.length ? 1000 : a.retrySoon ? kind.requeueMs.retrySoon : d.status?.complete ? 30_000 : kind.requeueMs.progressing,
        a.keptOut ? RECHECK_CONFLICTS_MS : Infinity,
      ),
  });
}

const hasObject = (objects: MemberObjects<unknown>, cluster: string, namespace: string, name: string) =>
  !!objects.cache(cluster)?.get(name, namespace);

/** The controller: the reconciler above, and the watches that bring a workload back to it. */
export function memberWorkloadController<W extends Workload<S>, S, V extends MemberSight, D extends WorkloadDecision<S>>(
  kind: MemberWorkloadKind<W, S, V, D>,
  deps: MemberWorkloadDeps<W>,
): Controller<W> {
  const all = () => deps.cache.list().map((w) => keyOf(w.metadata.namespace, w.metadata.name));
  const owner = (o: Annotated) => {
    const key = o.metadata?.annotations?.[kind.ownerAnnotation];
    return key && key.indexOf("/") > 0 ? [key] : [];
  };
  const memberChanged = memberChangeFilter();
  return new Controller<W>({
    name: kind.controller,
    primary: deps.cache,
    secondary: [
      watch(deps.placements, (p) => (p.spec.workloadRef.kind === kind.kind ? [keyOf(p.metadata.namespace, p.spec.workloadRef.name)] : [])),
      // A member's spec, labels or readiness changed: every workload may be affected.
      watch(deps.members, (m, type) => (memberChanged(type, m) ? all() : []), 200),
      // A member just listed: workloads held until it was seen may go on.
      ...[deps.objects, ...(deps.related ?? [])].flatMap((o) => [
        watch(o.synced, all),
        // Any change of a managed member object (or a pod of one) moves its workload on.
        watch(o, (e) => owner(e.object), 50),
      ]),
      ...(deps.relatedBy ?? []).flatMap((r) => [watch(r.objects.synced, all), watch(r.objects, (e) => r.owners(e.object), 50)]),
    ],
    concurrency: kind.concurrency,
    resyncPeriodMs: deps.resyncPeriodMs,
    reconcile: memberWorkloadReconciler(kind, deps),
    log: deps.log,
  });
}

export type { MemberObject };
