/**
 * Gauges of how the fleet is, read from the objects a service already caches (as kube-state-metrics
 * reads them), computed at scrape time so they are never stale and cost nothing between scrapes.
 * What a gauge says is decided by a pure function in the service's core; this only exports it.
 * Label sets are bounded by the objects that exist: one series per object (and member, resource).
 */
import type { ObjectGauge } from "@spillway/rules";
import type { Telemetry } from "@spillway/telemetry";

export function registerObjectGauges(meter: Telemetry["meter"], gauges: readonly ObjectGauge[]): void {
  for (const g of gauges) {
    const instrument = g.monotonic
      ? meter.createObservableCounter(g.name, { description: g.description })
      : meter.createObservableGauge(g.name, { description: g.description });
    instrument.addCallback((result) => {
      for (const s of g.samples()) result.observe(s.value, s.labels);
    });
  }
}
