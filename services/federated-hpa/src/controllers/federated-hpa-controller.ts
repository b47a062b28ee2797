/**
 * The FederatedHPA reconciler, in the kit's one shape: observe (the target's scale from the host's
 * cache, the fleet's pods and usage from cluster-gateway, Pods/Object/External metrics from the
 * host's metrics APIs, and — for a scale-up — what the fleet can place, from the scheduler),
 * decide (the pure `autoscale`), apply (the target's `scale` subresource, an Event per rescale),
 * status (conditions with Kubernetes' reasons, `currentMetrics`, and the history that lets a
 * restarted autoscaler keep its stabilization windows and rate limits).
 *
 * Runs on every FederatedHPA change, on every change of a target, when cluster-gateway announces
 * new usage in the namespace (NATS), and at least once per sync period without any of them.
 */
import type { FederatedHPA, FederatedHPAStatus } from "@spillway/api";
import {
  Controller,
  reconciler,
  setCondition,
  specChanges,
  watch,
  type CachedSource,
  type EventSource,
  type EventType,
  type ObjectClient,
} from "@spillway/kit";
import { autoscale, limitToFleet, scalesUp, type AutoscaleDecision, type FleetCapacity, type MetricSource } from "../core/autoscale.ts";
import { autoscalerStatus, type Outcome, type Pass } from "../core/autoscaler-status.ts";
import { behaviorOf, historyFromStatus, metricSources } from "../core/metric-spec.ts";
import type { Behavior } from "../core/scaling-behavior.ts";
import { targetScale, type TargetKind, type TargetObject, type TargetScale } from "../core/target.ts";
import type { ScaleWriter } from "../adapters/target-scale.ts";
import { readMetrics, type MetricDeps } from "../adapters/metric-readings.ts";
import type { Logger } from "@spillway/telemetry";

export interface FederatedHPADeps extends MetricDeps {
  client: ObjectClient<FederatedHPA>;
  cache: CachedSource<FederatedHPA>;
  targets: Record<TargetKind, CachedSource<TargetObject & { apiVersion?: string; kind?: string }>>;
  scale: ScaleWriter;
  /** Replicas the fleet can place of `replicas` asked; undefined where no scheduler is configured. */
  capacity?: (kind: TargetKind, namespace: string, name: string, replicas: number) => Promise<{ replicas: number; short: string }>;
  events: { record(obj: FederatedHPA, type: EventType, reason: string, note: string): Promise<void> };
  /** cluster-gateway's announcements of new usage, by namespace. */
  metricsChanged?: EventSource<{ namespaces: string[] }>;
  syncPeriodMs: number;
  /** Autoscalers synced at once (`--concurrent-syncs`; default 5, as Kubernetes'). */
  concurrentSyncs?: number;
  /** `--horizontal-pod-autoscaler-downscale-stabilization` (s). */
  downscaleStabilizationSeconds?: number;
  now?: () => number;
  /** Where a failed reconcile is logged. */
  log?: Pick<Logger, "warn">;
}

type Observed =
  | Extract<Pass, { kind: "noTarget" | "badSpec" }>
  | {
      kind: "ready";
      target: TargetScale;
      sources: MetricSource[];
      behavior?: Behavior;
      /** The autoscaler's recommendation, before the fleet's capacity limits it. */
      recommendation: AutoscaleDecision;
      capacity?: FleetCapacity;
      /** The scheduler could not be asked what the fleet can place. */
      capacityError?: string;
    };

interface Decision {
  pass: Pass;
  /** Why a rescale is held back (a scale-up the scheduler could not check would make replicas that never run). */
  hold?: string;
}

const KIND_OF: Record<string, TargetKind | undefined> = {
  FederatedDeployment: "FederatedDeployment",
  FederatedStatefulSet: "FederatedStatefulSet",
};

/** The target each FederatedHPA names, to re-run it when the target changes. */
const targetKey = (kind: string, namespace: string, name: string) => `${kind}/${namespace}/${name}`;

export function federatedHPAReconciler(deps: FederatedHPADeps) {
  const now = deps.now ?? Date.now;

  return reconciler<FederatedHPA, FederatedHPAStatus, Observed, Decision, Outcome>({
    cache: deps.cache,
    client: deps.client,
    async observe(h) {
      const ref = h.spec.scaleTargetRef;
      const kind = KIND_OF[ref.kind];
      if (!kind)
        return {
          kind: "noTarget",
          reason: "FailedGetScale",
          message: `the HPA controller was unable to get the target's current scale: ${ref.kind} has no scale subresource Spillway serves`,
        };
      const obj = deps.targets[kind].get(ref.name, h.metadata.namespace);
      if (!obj)
        return {
          kind: "noTarget",
          reason: "FailedGetScale",
          message: `the HPA controller was unable to get the target's current scale: ${kind} ${h.metadata.namespace}/${ref.name} not found`,
        };
      const target = targetScale(kind, obj);
      let sources: MetricSource[];
      try {
        sources = metricSources(h.spec);
      } catch (err) {
        return { kind: "badSpec", message: (err as Error).message };
      }
      const { readings: rs, ready } = await readMetrics(deps, h, target, sources);
      const behavior = behaviorOf(h.spec);
      const recommendation = autoscale({
        minReplicas: h.spec.minReplicas ?? 1,
        maxReplicas: h.spec.maxReplicas,
        metrics: sources,
        ...(behavior ? { behavior } : {}),
        currentReplicas: target.specReplicas,
        statusReplicas: target.statusReplicas,
        readyPods: ready,
        readings: rs,
        history: historyFromStatus(h.status),
        nowMs: now(),
        ...(deps.downscaleStabilizationSeconds !== undefined ? { downscaleStabilizationSeconds: deps.downscaleStabilizationSeconds } : {}),
      });
      const observed = { kind: "ready" as const, target, sources, ...(behavior ? { behavior } : {}), recommendation };
      // Ask the scheduler only when the answer matters: the autoscaler would scale up.
      if (!deps.capacity || !scalesUp(recommendation, target.specReplicas)) return observed;
      try {
        return { ...observed, capacity: await deps.capacity(kind, target.namespace, target.name, recommendation.desiredReplicas) };
      } catch (err) {
        return { ...observed, capacityError: (err as Error).message };
      }
    },
    decide(_h, o): Decision {
      if (o.kind !== "ready") return { pass: o };
      const decision = limitToFleet(o.recommendation, o.target.specReplicas, o.capacity);
      const pass: Pass = {
        kind: "decided",
        target: o.target,
        sources: o.sources,
        ...(o.behavior ? { behavior: o.behavior } : {}),
        decision,
      };
      return o.capacityError && scalesUp(decision, o.target.specReplicas) ? { pass, hold: o.capacityError } : { pass };
    },
    async apply(h, { pass, hold }) {
      const nowMs = now();
      if (pass.kind !== "decided" || !pass.decision.rescale) return { scaled: false, nowMs };
      if (hold) return { scaled: false, error: hold, nowMs };
      const { target, decision } = pass;
      try {
        await deps.scale.setReplicas(target.kind, target.namespace, target.name, decision.desiredReplicas);
      } catch (err) {
        const message = `the HPA controller was unable to update the target scale: ${(err as Error).message}`;
        void deps.events.record(
          h,
          "Warning",
          "FailedRescale",
          `New size: ${decision.desiredReplicas}; reason: ${decision.reason}; error: ${message}`,
        );
        return { scaled: false, error: message, nowMs };
      }
      void deps.events.record(h, "Normal", "SuccessfulRescale", `New size: ${decision.desiredReplicas}; reason: ${decision.reason}`);
      return { scaled: true, nowMs };
    },
    status(latest, d, outcome) {
      const { status, conditions: next } = autoscalerStatus(latest, d.pass, outcome);
      let conditions = latest.status?.conditions;
      for (const c of next) conditions = setCondition(conditions, c, new Date(outcome.nowMs));
      return { ...latest.status, ...status, conditions };
    },
    requeueAfterMs: () => deps.syncPeriodMs,
  });
}

export function federatedHPAController(deps: FederatedHPADeps): Controller<FederatedHPA> {
  // FederatedHPAs by the target they name, kept from the cache's events.
  const byTarget = new Map<string, Set<string>>();
  const named = new Map<string, string>();
  const index = (h: FederatedHPA, deleted: boolean): void => {
    const key = `${h.metadata.namespace}/${h.metadata.name}`;
    const before = named.get(key);
    if (before) byTarget.get(before)?.delete(key);
    if (deleted) {
      named.delete(key);
      return;
    }
    const t = targetKey(h.spec.scaleTargetRef.kind, h.metadata.namespace!, h.spec.scaleTargetRef.name);
    named.set(key, t);
    if (!byTarget.has(t)) byTarget.set(t, new Set());
    byTarget.get(t)!.add(key);
  };
  deps.cache.addHandler((type, h) => index(h, type === "delete"));
  const forTarget = (kind: TargetKind) => (o: TargetObject) => [
    ...(byTarget.get(targetKey(kind, o.metadata.namespace ?? "", o.metadata.name ?? "")) ?? []),
  ];

  return new Controller<FederatedHPA>({
    name: "federated-hpa",
    // Every pass writes status (a new recommendation): only spec changes bring an autoscaler back
    // early; otherwise it runs by its sync period, targets' changes and gateway announcements.
    primary: specChanges(deps.cache),
    secondary: [
      watch(deps.targets.FederatedDeployment, forTarget("FederatedDeployment"), 50),
      watch(deps.targets.FederatedStatefulSet, forTarget("FederatedStatefulSet"), 50),
      ...(deps.metricsChanged
        ? [watch(deps.metricsChanged, (e) => e.namespaces.flatMap((ns) => deps.cache.list(ns).map((h) => `${ns}/${h.metadata.name}`)))]
        : []),
    ],
    concurrency: deps.concurrentSyncs ?? 5,
    reconcile: federatedHPAReconciler(deps),
    log: deps.log,
  });
}
