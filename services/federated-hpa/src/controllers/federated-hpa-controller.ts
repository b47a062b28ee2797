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
import {
  autoscale,
  limitToFleet,
  scalesUp,
  type AutoscaleDecision,
  type FleetCapacity,
  type MetricReading,
  type MetricSource,
} from "../core/autoscale.ts";
import { autoscalerStatus, type Outcome, type Pass } from "../core/autoscaler-status.ts";
import { behaviorOf, historyFromStatus, metricSources } from "../core/metric-spec.ts";
import { objectResource } from "../core/object-resource.ts";
import { podsMetricReading, readyPods, resourceReading, type FleetPod } from "../core/pod-readings.ts";
import type { Behavior } from "../core/scaling-behavior.ts";
import { targetScale, type TargetKind, type TargetObject, type TargetScale } from "../core/target.ts";
import type { LabelSelector } from "@spillway/rules";
import type { TimedValue } from "../adapters/host-metrics-api.ts";
import type { ScaleWriter } from "../adapters/target-scale.ts";
import type { Logger } from "@spillway/telemetry";

export interface FederatedHPADeps {
  client: ObjectClient<FederatedHPA>;
  cache: CachedSource<FederatedHPA>;
  targets: Record<TargetKind, CachedSource<TargetObject & { apiVersion?: string; kind?: string }>>;
  scale: ScaleWriter;
  fleetPods: (namespace: string, selector: LabelSelector) => Promise<{ pods: FleetPod[] }>;
  hostMetrics: {
    podsMetric(namespace: string, metric: string, selector: LabelSelector | undefined): Promise<Map<string, TimedValue>>;
    objectMetric(namespace: string, resource: string, name: string, metric: string, selector?: LabelSelector): Promise<number>;
    externalMetric(namespace: string, metric: string, selector: LabelSelector | undefined): Promise<number>;
  };
  /** Replicas the fleet can place of `replicas` asked; undefined where no scheduler is configured. */
  capacity?: (kind: TargetKind, namespace: string, name: string, replicas: number) => Promise<{ replicas: number; short: string }>;
  events: { record(obj: FederatedHPA, type: EventType, reason: string, note: string): Promise<void> };
  /** cluster-gateway's announcements of new usage, by namespace. */
  metricsChanged?: EventSource<{ namespaces: string[] }>;
  syncPeriodMs: number;
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

  async function readings(
    h: FederatedHPA,
    target: TargetScale,
    sources: MetricSource[],
  ): Promise<{ readings: MetricReading[]; ready: number }> {
    const ns = h.metadata.namespace!;
    const needsPods = sources.some((s) => s.type === "Resource" || s.type === "ContainerResource" || s.type === "Pods");
    let pods: FleetPod[] | { error: string } = [];
    if (needsPods)
      pods = await deps.fleetPods(ns, target.selector).then(
        (r) => r.pods,
        (err: Error) => ({ error: err.message }),
      );
    const specs = h.spec.metrics ?? [];
    const out = await Promise.all(
      sources.map(async (s, i): Promise<MetricReading> => {
        try {
          switch (s.type) {
            case "Resource":
              return "error" in pods ? pods : resourceReading(pods, s.name);
            case "ContainerResource":
              return "error" in pods ? pods : resourceReading(pods, s.name, s.container);
            case "Pods":
              if ("error" in pods) return pods;
              return podsMetricReading(pods, await deps.hostMetrics.podsMetric(ns, s.metricName, specs[i]?.pods?.metric.selector));
            case "Object":
              return {
                value: await deps.hostMetrics.objectMetric(
                  ns,
                  objectResource(s.describedObject.kind, s.describedObject.apiVersion),
                  s.describedObject.name,
                  s.metricName,
                  specs[i]?.object?.metric.selector,
                ),
              };
            case "External":
              return { value: await deps.hostMetrics.externalMetric(ns, s.metricName, specs[i]?.external?.metric.selector) };
          }
        } catch (err) {
          return { error: (err as Error).message };
        }
      }),
    );
    return { readings: out, ready: Array.isArray(pods) ? readyPods(pods) : 0 };
  }

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
      const { readings: rs, ready } = await readings(h, target, sources);
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
        await deps.events.record(
          h,
          "Warning",
          "FailedRescale",
          `New size: ${decision.desiredReplicas}; reason: ${decision.reason}; error: ${message}`,
        );
        return { scaled: false, error: message, nowMs };
      }
      await deps.events.record(h, "Normal", "SuccessfulRescale", `New size: ${decision.desiredReplicas}; reason: ${decision.reason}`);
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
    reconcile: federatedHPAReconciler(deps),
    log: deps.log,
  });
}
