/**
 * A level-triggered controller: events only say *which* object to look at; the reconciler reads
 * the world and makes it right. Every cached primary object is also re-queued each
 * `resyncPeriodMs`, so a missed event (or a NATS message that never came) still converges.
 *
 * What a controller watches is declared: the primary kind, and secondary sources (other kinds,
 * member-cluster objects) with the function that maps a change there to the primary keys it
 * affects. Nothing is wired by hand in a service's main.
 */
import { errorFields, type Logger } from "@spillway/telemetry";
import { keyOf, parseKey } from "./object-key.ts";
import type { CachedSource, EventSource, WatchEventType, ObjectLike } from "./object-store.ts";
import { WorkQueue, type ReconcileResult } from "./work-queue.ts";

export interface Watch<T> {
  source: EventSource<T>;
  /** Keys of the primary objects affected by this change. */
  keysFor: (obj: T, type: WatchEventType) => readonly string[];
  /** Wait this long before reconciling (lets a burst of changes coalesce into one run). */
  delayMs?: number;
}

/** Declares a secondary watch; a function so `T` is inferred from the source. */
export const watch = <T>(source: EventSource<T>, keysFor: Watch<T>["keysFor"], delayMs?: number): Watch<unknown> =>
  ({ source, keysFor, delayMs }) as Watch<unknown>;

export interface ControllerOptions<P extends ObjectLike> {
  name: string;
  primary: CachedSource<P>;
  secondary?: Watch<unknown>[];
  reconcile: (key: string) => Promise<ReconcileResult | void>;
  concurrency?: number;
  resyncPeriodMs?: number;
  /** Where a failed reconcile is logged, once, with the controller, namespace and name. */
  log?: Pick<Logger, "warn">;
}

/** What the service shell runs while leading, whatever the primary kind. */
export interface RunnableController {
  readonly name: string;
  readonly queue: WorkQueue;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export class Controller<P extends ObjectLike> implements RunnableController {
  readonly queue: WorkQueue;
  private readonly options: ControllerOptions<P>;
  private resyncTimer: NodeJS.Timeout | undefined;
  private running = false;
  private subscribed = false;

  constructor(options: ControllerOptions<P>) {
    this.options = options;
    const log = options.log;
    this.queue = new WorkQueue(options.reconcile, {
      concurrency: options.concurrency ?? 4,
      onError: (key, err, retryInMs) => {
        const { namespace, name } = parseKey(key);
        // retryInMs undefined: a terminal error, not retried.
        log?.warn({ controller: options.name, namespace, name, retryInMs, ...errorFields(err) }, "reconcile failed");
      },
    });
  }

  get name(): string {
    return this.options.name;
  }

  /** Queues `key` (after `afterMs`, coalescing repeats) if this controller is running; a no-op on a standby. */
  enqueue(key: string, afterMs = 0): void {
    if (!this.running) return;
    if (afterMs > 0) this.queue.addAfter(key, afterMs);
    else this.queue.add(key);
  }

  /** Starts processing. Call when this replica becomes leader; informers may already be running. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    if (!this.subscribed) {
      this.subscribed = true;
      this.options.primary.addHandler((_type, obj) => this.enqueue(keyOf(obj)));
      for (const w of this.options.secondary ?? []) {
        w.source.addHandler((type, obj) => {
          if (!this.running) return;
          for (const key of w.keysFor(obj, type)) this.enqueue(key, w.delayMs);
        });
      }
    }
    await this.options.primary.hasSynced();
    const period = this.options.resyncPeriodMs ?? 5 * 60_000;
    this.resyncTimer = setInterval(() => {
      for (const obj of this.options.primary.list()) this.enqueue(keyOf(obj));
    }, period);
    this.resyncTimer.unref();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    await this.queue.shutdown();
  }
}
