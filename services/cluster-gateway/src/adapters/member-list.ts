/**
 * The list behind each of the gateway's member informers: in pages (one answer of a big member's
 * pods outlasts its busy API server's request timeout), as plain JSON (the typed client turns
 * timestamps into Dates, and the fleet API would serve a listed object differently from the same
 * object watched), and logged when done: a relist of a big member is seconds of work, and where its
 * time went (the member's answers, or this process between them) is what an operator needs when
 * the fleet lags.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { kubeList } from "@spillway/kit";
import type { Logger } from "@spillway/telemetry";

export function memberList<T>(kc: KubeConfig, cluster: string, resource: string, path: string, log: Logger) {
  return () =>
    kubeList<T>(kc, {
      path,
      what: `${resource} of ${cluster}`,
      onListed: (s) =>
        log.info(
          { resource, items: s.items, pages: s.pages, ms: Math.round(s.ms), answerMs: Math.round(s.answerMs), restarts: s.restarts },
          "member listed",
        ),
    });
}
