/**
 * FederatedStatefulSets (leader only), on the kit's reconcile template: observe the Placement's
 * ranges, the member StatefulSets and their pods, let the pure core decide
 * (`core/orchestration.ts`), apply its writes, write the status of every ordinal. Deletion
 * removes the member StatefulSets (their claims follow `persistentVolumeClaimRetentionPolicy`)
 * and the headless Services the orchestrator made, before releasing the finalizer.
 */
import type { V1Pod, V1StatefulSet } from "@kubernetes/client-node";
import type { FederatedStatefulSet, MemberCluster, Placement } from "@spillway/api";
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
import { isMemberReady, memberConflictCondition, memberLabels, placementName, scheduledCondition } from "@spillway/rules";
import { errorFields, type Logger } from "@spillway/telemetry";
import type { MemberStatefulSetWriter } from "../adapters/member-statefulsets.ts";
import { livePod } from "../adapters/member-statefulsets.ts";
import { OWNER_ANNOTATION } from "../core/member-statefulset.ts";
import { decideOrchestration, type MemberView, type MemberWrite, type OrchestrationDecision } from "../core/orchestration.ts";
import type { Range } from "../core/ordinal-steps.ts";

export const FINALIZER = "spillway.dev/stateful-orchestrator";
const CONTROLLER = "federated-statefulset";
const KIND = "FederatedStatefulSet";

export interface Deps {
  client: ObjectClient<FederatedStatefulSet>;
  cache: CachedSource<FederatedStatefulSet>;
  placements: CachedSource<Placement>;
  members: CachedSource<MemberCluster>;
  statefulSets: MemberObjects<V1StatefulSet>;
  pods: MemberObjects<V1Pod>;
  writer: MemberStatefulSetWriter;
  publish: (progress: RolloutProgress) => void;
  events: { record(obj: FederatedStatefulSet, type: EventType, reason: string, note: string): Promise<void> };
  log: Logger;
  resyncPeriodMs?: number;
}

interface Applied {
  retrySoon: boolean;
  /** What members refused, by member: e.g. a change to a field a StatefulSet cannot change. */
  failures: string[];
}

interface Observed {
  placement: Array<Range & { cluster: string }> | undefined;
  views: MemberView[];
}

const keyOf = (namespace: string | undefined, name: string | undefined) => `${namespace}/${name}`;
const ownerKey = (o: { metadata?: { annotations?: Record<string, string> } }) => {
  const owner = o.metadata?.annotations?.[OWNER_ANNOTATION];
  return owner && owner.indexOf("/") > 0 ? [owner] : [];
};

export function federatedStatefulSetReconciler(deps: Deps) {
  const { members, log } = deps;
  /** Ranges this process wrote that the watch may not show yet, by member/namespace/name: they count as held. */
  const written = new Map<string, { generation: number; range: Range }>();
  const logFields = (s: FederatedStatefulSet, cluster?: string) => ({
    controller: CONTROLLER,
    namespace: s.metadata.namespace,
    name: s.metadata.name,
    ...(cluster ? { cluster } : {}),
  });

  async function observe(s: FederatedStatefulSet): Promise<Observed> {
    const ns = s.metadata.namespace!;
    const name = s.metadata.name!;
    const placement = deps.placements.get(placementName(KIND, name), ns);
    const ranges = placement?.spec.clusters
      .filter((c) => c.ordinalStart !== undefined && c.replicas > 0)
      .map((c) => ({ cluster: c.name, start: c.ordinalStart!, count: c.replicas }));
    const targets = new Set((ranges ?? []).map((r) => r.cluster));
    const heldBefore = new Set((s.status?.ordinalRanges ?? []).map((r) => r.cluster));
    const connectable = members
      .list()
      .filter((m) => !m.spec.fenced && (targets.has(m.metadata.name!) || heldBefore.has(m.metadata.name!) || isMemberReady(m)));
    await Promise.all(
      connectable.map(async (m) => {
        try {
          await Promise.all([deps.statefulSets.ensure(m), deps.pods.ensure(m)]);
        } catch (err) {
          log.warn({ ...logFields(s, m.metadata.name), ...errorFields(err) }, "no client for member");
        }
      }),
    );
    const candidates = new Set([...connectable.map((m) => m.metadata.name!), ...targets, ...heldBefore]);
    for (const c of deps.statefulSets.clustersHolding(name, ns)) candidates.add(c);
    const views: MemberView[] = [...candidates].map((c) => {
      const m = members.get(c);
      const sets = deps.statefulSets.cache(c);
      const pods = deps.pods.cache(c);
      const sts = sets?.get(name, ns);
      const w = written.get(`${c}/${ns}/${name}`);
      if (w && (sts?.metadata?.generation ?? 0) >= w.generation) written.delete(`${c}/${ns}/${name}`);
      const stillWritten = written.get(`${c}/${ns}/${name}`);
      return {
        name: c,
        info: m && { name: c, labels: memberLabels(m) },
        ready: !!m && isMemberReady(m),
        fenced: m?.spec.fenced === true,
        connected: !!sets && !!pods,
        synced: (sets?.synced ?? false) && (pods?.synced ?? false),
        statefulSet: sts,
        ...(stillWritten ? { written: stillWritten.range } : {}),
        pods: (pods?.list(ns) ?? [])
          .filter((p) => p.metadata?.labels?.[OWNER_ANNOTATION] === name)
          .map(livePod)
          .filter((p) => p !== undefined),
      };
    });
    // The watch holds only managed StatefulSets: where one is to be made, look whether someone
    // else's of that name is there.
    await Promise.all(
      views
        .filter((v) => !v.statefulSet && v.connected && v.synced && v.ready && targets.has(v.name))
        .map(async (v) => {
          try {
            v.lookup = (await deps.writer.read(members.get(v.name)!, ns, name))?.managed === false ? "foreign" : "absent";
          } catch (err) {
            v.lookup = "failed";
            log.warn({ ...logFields(s, v.name), ...errorFields(err) }, "cannot look up member StatefulSet");
          }
        }),
    );
    return { placement: ranges, views };
  }

  /** Carries out one write; resolves to what went wrong, if anything (said in a condition). */
  async function write(s: FederatedStatefulSet, w: MemberWrite): Promise<string | undefined> {
    const member = members.get(w.cluster);
    const ns = s.metadata.namespace!;
    const name = s.metadata.name!;
    if (!member) return undefined;
    try {
      if (w.action === "delete") {
        await deps.writer.delete(member, ns, name);
        return undefined;
      }
      if (w.create) await deps.writer.ensureNamespace(member, ns);
      if (w.service) await deps.writer.ensureService(member, w.service);
      const generation = await deps.writer.apply(member, w.object);
      written.set(`${w.cluster}/${ns}/${name}`, { generation, range: w.range });
      return undefined;
    } catch (err) {
      // A conflict only means our cache was behind; the next pass has the update.
      if (isConflict(err)) return "";
      log.warn({ ...logFields(s, w.cluster), ...errorFields(err) }, "member write failed; will retry");
      return `${w.cluster}: ${(err as { body?: { message?: string } }).body?.message ?? (err instanceof Error ? err.message : String(err))}`;
    }
  }

  async function finalize(s: FederatedStatefulSet): Promise<boolean> {
    const ns = s.metadata.namespace!;
    const name = s.metadata.name!;
    const results = await Promise.all(
      members.list().map(async (m) => {
        if (m.spec.fenced) return true;
        try {
          const existing = await deps.writer.read(m, ns, name);
          if (existing?.managed) await deps.writer.delete(m, ns, name);
          await deps.writer.deleteService(m, ns, s.spec.serviceName ?? name);
          return true;
        } catch (err) {
          log.warn({ ...logFields(s, m.metadata.name), ...errorFields(err) }, "cannot remove member StatefulSet yet");
          return false;
        }
      }),
    );
    return results.every(Boolean);
  }

  return reconciler<FederatedStatefulSet, FederatedStatefulSet["status"], Observed, OrchestrationDecision, Applied>({
    cache: deps.cache,
    client: deps.client,
    finalizer: FINALIZER,
    finalize,
    observe,
    decide: (s, o) =>
      decideOrchestration({
        fsts: {
          namespace: s.metadata.namespace!,
          name: s.metadata.name!,
          generation: s.metadata.generation ?? 0,
          spec: s.spec,
          status: s.status,
        },
        placement: o.placement,
        members: o.views,
        nowMs: Date.now(),
      }),
    apply: async (s, d) => {
      if (d.unseen.length) {
        log.debug({ ...logFields(s), clusters: d.unseen }, "holding member writes until these members have been listed");
        return { retrySoon: false, failures: [] };
      }
      const outcomes = await Promise.all(d.writes.map((w) => write(s, w)));
      for (const c of d.released) {
        if (s.status?.ordinalRanges?.some((r) => r.cluster === c))
          await deps.events.record(
            s,
            "Warning",
            "MemberFenced",
            `${c} is fenced: its ordinals are started in other members without waiting for its pods to stop`,
          );
      }
      return {
        retrySoon: d.retrySoon || outcomes.some((x) => x !== undefined),
        failures: outcomes.filter((x): x is string => !!x),
      };
    },
    status: (latest, d, applied) => {
      if (!d.status) return undefined;
      let conditions = latest.status?.conditions;
      for (const c of d.status.conditions) conditions = setCondition(conditions, { ...c, observedGeneration: latest.metadata.generation });
      conditions = setCondition(
        conditions,
        memberConflictCondition("StatefulSet", latest.metadata.namespace!, latest.metadata.name!, d.conflicts),
      );
      conditions = setCondition(
        conditions,
        scheduledCondition(deps.placements.get(placementName(KIND, latest.metadata.name!), latest.metadata.namespace!)),
      );
      conditions = setCondition(
        conditions,
        applied.failures.length
          ? { type: "MemberWriteFailed", status: "True", reason: "MemberRefusedWrite", message: applied.failures.join("; ") }
          : { type: "MemberWriteFailed", status: "False", reason: "WritesApplied", message: "" },
      );
      return { ...latest.status, ...d.status.status, conditions };
    },
    afterStatus: (s, d, _a, written) => {
      if (!written || !d.status) return;
      deps.publish(rolloutProgress(s, d.status.status, d.status.complete));
    },
    requeueAfterMs: (d, a) => (d.unseen.length ? 1000 : a.retrySoon ? 200 : d.status?.complete ? 30_000 : 1_000),
  });
}

export function federatedStatefulSetController(deps: Deps): Controller<FederatedStatefulSet> {
  const { members, log } = deps;
  const all = () => deps.cache.list().map((s) => keyOf(s.metadata.namespace, s.metadata.name));
  const memberChanged = memberChangeFilter();
  return new Controller<FederatedStatefulSet>({
    name: CONTROLLER,
    primary: deps.cache,
    secondary: [
      watch(deps.placements, (p) => (p.spec.workloadRef.kind === KIND ? [keyOf(p.metadata.namespace, p.spec.workloadRef.name)] : [])),
      watch(members, (m, type) => (memberChanged(type, m) ? all() : []), 200),
      watch(deps.statefulSets.synced, all),
      watch(deps.pods.synced, all),
      watch(deps.statefulSets, (e) => ownerKey(e.object), 50),
      // A pod appearing, becoming Ready or going away moves the ordinals on.
      watch(deps.pods, (e) => ownerKey(e.object), 50),
    ],
    concurrency: 16,
    resyncPeriodMs: deps.resyncPeriodMs,
    reconcile: federatedStatefulSetReconciler(deps),
    onError: (key, err, retryInMs) => log.warn({ controller: CONTROLLER, name: key, retryInMs, ...errorFields(err) }, "reconcile failed"),
  });
}
