/**
 * Helm test hooks through the fleet API (ADR 0009). A bare Pod has no fleet-wide meaning (nothing
 * replaces it, no replica count to split), so the fleet refuses one — except a Pod a chart marks
 * as its test (`helm.sh/hook: test`, or the older `test-success`/`test-failure`): a one-shot check
 * of the release, whose whole point is to run next to the release's pods. It is created, once,
 * in the best-ranked member that runs ready pods of the namespace's fleet workloads; from there it
 * is a member pod like any other (its phase is what `helm test` waits for; helm deletes it).
 */

const TEST_HOOKS = new Set(["test", "test-success", "test-failure"]);

/** Whether a Pod written through the fleet is a chart's test hook. */
export function isTestHookPod(pod: { metadata?: object } | undefined): boolean {
  const annotations = (pod?.metadata as { annotations?: Record<string, unknown> } | undefined)?.annotations;
  const hooks = annotations?.["helm.sh/hook"];
  return typeof hooks === "string" && hooks.split(",").some((h) => TEST_HOOKS.has(h.trim()));
}

/**
 * The member a test hook runs in: of the members running ready pods of the namespace's fleet
 * workloads (`ready`: member → ready pods), the best-ranked (lower rank first, ties by name).
 */
export function testHookMember(ready: ReadonlyMap<string, number>, rank: (cluster: string) => number): string | undefined {
  return [...ready]
    .filter(([, n]) => n > 0)
    .map(([c]) => c)
    .sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0))[0];
}

/** What the member is asked to create: the Pod as the chart wrote it, without what the fleet API server set. */
export function memberTestPod<T extends { metadata?: Record<string, unknown> }>(pod: T): T {
  const { uid: _u, resourceVersion: _r, creationTimestamp: _c, managedFields: _m, generation: _g, ...meta } = pod.metadata ?? {};
  return { ...pod, metadata: meta };
}
