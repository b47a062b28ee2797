/**
 * The work-queue series an operator of any Kubernetes controller expects (controller-runtime's
 * workqueue_depth, workqueue_queue_duration_seconds, workqueue_work_duration_seconds and
 * controller_runtime_reconcile_total), for every controller of a service, labelled by controller.
 * They tell a slow API server (long work) from too little concurrency (long waits, deep queue).
 */
import type { RunnableController } from "@spillway/kit";
import type { Telemetry } from "@spillway/telemetry";

const BUCKETS_S = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function instrumentControllers(meter: Telemetry["meter"], controllers: readonly RunnableController[]): void {
  const depth = meter.createObservableGauge("spillway_workqueue_depth", { description: "Keys waiting to be reconciled" });
  const queued = meter.createHistogram("spillway_workqueue_queue_duration_seconds", {
    description: "How long a key waited in the queue before its reconcile started",
    unit: "s",
    advice: { explicitBucketBoundaries: BUCKETS_S },
  });
  const work = meter.createHistogram("spillway_workqueue_work_duration_seconds", {
    description: "How long one reconcile took",
    unit: "s",
    advice: { explicitBucketBoundaries: BUCKETS_S },
  });
  const reconciles = meter.createCounter("spillway_reconcile", { description: "Reconciles by result" });
  depth.addCallback((result) => {
    for (const c of controllers) result.observe(c.queue.length, { controller: c.name });
  });
  for (const c of controllers) {
    c.queue.observe({
      waited: (ms) => queued.record(ms / 1000, { controller: c.name }),
      worked: (ms, outcome) => {
        work.record(ms / 1000, { controller: c.name });
        reconciles.add(1, { controller: c.name, result: outcome });
      },
    });
  }
}
