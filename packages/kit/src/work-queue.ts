/**
 * A keyed work queue with the guarantees controller-runtime's workqueue gives a reconciler:
 * - a key added many times while waiting is processed once (deduplication);
 * - a key is never processed by two workers at once; adding it while it is in flight marks it
 *   dirty and it runs again after the current run ends;
 * - at most `concurrency` keys are processed at a time;
 * - a failed key is retried after a per-key exponential backoff, a terminal error drops it, and a
 *   success forgets its backoff; a handler may ask for a later look with `requeueAfter`.
 */
import { ExponentialBackoff } from "./backoff.ts";
import { isTerminal } from "./errors.ts";

/** What a handler may ask for after a successful run. */
export interface ReconcileResult {
  requeueAfterMs?: number;
}

export type Handler = (key: string) => Promise<ReconcileResult | void>;

export interface WorkQueueOptions {
  concurrency?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Called when a run fails (for logs and metrics); the queue has already scheduled the retry. */
  onError?: (key: string, err: unknown, retryInMs: number | undefined) => void;
}

/** How long keys wait and work, for metrics (controller-runtime's workqueue_* series). */
export interface QueueObserver {
  waited(ms: number): void;
  worked(ms: number, result: "success" | "error" | "terminal"): void;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly timers = new Map<string, { timer: NodeJS.Timeout; due: number }>();
  private readonly backoff: ExponentialBackoff<string>;
  private readonly concurrency: number;
  private readonly onError: WorkQueueOptions["onError"];
  private readonly idleWaiters: Array<() => void> = [];
  private readonly addedAt = new Map<string, number>();
  private observer: QueueObserver | undefined;
  private active = 0;
  private shuttingDown = false;
  private readonly handler: Handler;

  constructor(handler: Handler, options: WorkQueueOptions = {}) {
    this.handler = handler;
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.backoff = new ExponentialBackoff({ baseMs: options.backoffBaseMs ?? 5, maxMs: options.backoffMaxMs ?? 300_000 });
    this.onError = options.onError;
  }

  /** Queues `key` now. A pending delayed add of the same key is superseded. */
  add(key: string): void {
    if (this.shuttingDown) return;
    this.clearTimer(key);
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(key);
    if (this.observer) this.addedAt.set(key, performance.now());
    this.pump();
  }

  /** Reports each key's wait and run to `observer` from now on. */
  observe(observer: QueueObserver): void {
    this.observer = observer;
  }

  /** Queues `key` after `ms`; of several delayed adds for one key, the earliest wins. */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) return this.add(key);
    if (this.queued.has(key)) return;
    const due = Date.now() + ms;
    const pending = this.timers.get(key);
    if (pending && pending.due <= due) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.add(key);
    }, ms);
    timer.unref();
    this.timers.set(key, { timer, due });
  }

  /** Keys waiting to run (not counting those in flight or delayed). */
  get length(): number {
    return this.queue.length;
  }

  /** Failures of `key` since its last success. */
  retries(key: string): number {
    return this.backoff.retries(key);
  }

  /** Resolves when nothing is queued or in flight (delayed retries do not count). */
  idle(): Promise<void> {
    if (this.active === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops accepting work, cancels delayed adds and waits for in-flight runs to end. */
  async shutdown(): Promise<void> {
    this.shuttingDown = true;
    for (const key of [...this.timers.keys()]) this.clearTimer(key);
    this.queue.length = 0;
    this.queued.clear();
    this.addedAt.clear();
    await this.idle();
  }

  private clearTimer(key: string): void {
    const pending = this.timers.get(key);
    if (pending) {
      clearTimeout(pending.timer);
      this.timers.delete(key);
    }
  }

  private pump(): void {
    while (this.active < this.concurrency && this.queue.length > 0) {
      const key = this.queue.shift()!;
      this.queued.delete(key);
      const added = this.addedAt.get(key);
      if (added !== undefined) {
        this.addedAt.delete(key);
        this.observer?.waited(performance.now() - added);
      }
      this.processing.add(key);
      this.active++;
      void this.run(key);
    }
    if (this.active === 0 && this.queue.length === 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private async run(key: string): Promise<void> {
    let retryInMs: number | undefined;
    let outcome: "success" | "error" | "terminal" = "success";
    const started = performance.now();
    try {
      const result = await this.handler(key);
      this.backoff.forget(key);
      retryInMs = result?.requeueAfterMs;
    } catch (err) {
      if (isTerminal(err)) {
        outcome = "terminal";
        this.backoff.forget(key);
        this.onError?.(key, err, undefined);
      } else {
        outcome = "error";
        retryInMs = this.backoff.next(key);
        this.onError?.(key, err, retryInMs);
      }
    } finally {
      this.processing.delete(key);
      this.active--;
    }
    this.observer?.worked(performance.now() - started, outcome);
    if (this.dirty.delete(key)) this.add(key);
    else if (retryInMs !== undefined) this.addAfter(key, retryInMs);
    this.pump();
  }
}
