/**
 * What an informer's list-and-watch has been through, for its process to export: a cache that
 * silently falls behind its server is the one failure an informer cannot report by itself, so
 * every way a watch ends is counted apart (a saturated API server ends lagging watches as
 * unresponsive; history can be gone; the client gives up on a silent connection), beside the
 * events received and when the last one came.
 */
import { Watch, type KubeConfig } from "@kubernetes/client-node";

export interface WatchStats {
  /** Complete lists loaded into the cache (the first, and each relist). */
  lists: number;
  /** Watch requests opened (each resume after an end, too). */
  watches: number;
  /** Watches the server ended: its timeout, or closed as unresponsive when it could not keep up. */
  closed: number;
  /** Watches the client ended after a silence (client-node's inactivity timeout); resumed. */
  idle: number;
  /** Watches answered 410 Gone: the history was gone, the cache is listed again. */
  expired: number;
  /** Lists and watches that failed; retried with backoff. */
  failures: number;
  /** Change events received (additions, updates, deletions). */
  events: number;
  /** When the last change event arrived (ms since the epoch); 0 before the first. */
  lastEventMs: number;
}

export const emptyWatchStats = (): WatchStats => ({
  lists: 0,
  watches: 0,
  closed: 0,
  idle: 0,
  expired: 0,
  failures: 0,
  events: 0,
  lastEventMs: 0,
});

type WatchParams = Parameters<Watch["watch"]>;
type WatchCallback = WatchParams[2];
type DoneCallback = WatchParams[3];

/** client-node's Watch, counting into `stats` what each watch delivered and how it ended. */
export class CountingWatch extends Watch {
  private readonly stats: WatchStats;

  constructor(kubeConfig: KubeConfig, stats: WatchStats) {
    super(kubeConfig);
    this.stats = stats;
  }

  override watch(path: string, queryParams: WatchParams[1], callback: WatchCallback, done: DoneCallback): Promise<AbortController> {
    this.stats.watches++;
    const counted: WatchCallback = (phase, obj, raw) => {
      if (phase === "ERROR") {
        if ((obj as { code?: number } | undefined)?.code === 410) this.stats.expired++;
      } else if (phase !== "BOOKMARK") {
        this.stats.events++;
        this.stats.lastEventMs = Date.now();
      }
      callback(phase, obj, raw);
    };
    const ended: DoneCallback = (err: unknown) => {
      if (!err) this.stats.closed++;
      else if ((err as { name?: unknown }).name === "TimeoutError") this.stats.idle++;
      // Other errors reach the informer's error handler, which counts them as failures.
      done(err);
    };
    return super.watch(path, queryParams, counted, ended);
  }
}
