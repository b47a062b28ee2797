/**
 * The contract between a service's pure gauge definitions (what a gauge says of the objects it
 * caches) and the runtime that exports them on /metrics at scrape time.
 */

export interface GaugeSample {
  value: number;
  labels: Record<string, string>;
}

export interface ObjectGauge {
  /** Prometheus naming: `spillway_<subject>_<what>[_<unit>]`. */
  name: string;
  description: string;
  samples: () => Iterable<GaugeSample>;
  /** A running total that only grows (exported as a counter, `_total`), not a level. */
  monotonic?: boolean;
}

/** One sample per namespaced object, labelled by its namespace and name (kube-state-metrics' shape). */
export const perObject =
  <T extends { metadata: { namespace?: string; name?: string } }>(list: () => readonly T[], value: (o: T) => number) =>
  (): GaugeSample[] =>
    list().map((o) => ({ value: value(o), labels: { namespace: o.metadata.namespace!, name: o.metadata.name! } }));
