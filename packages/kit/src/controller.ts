/**
 * A level-triggered controller: events from informers only say *which* object to look at; the
 * reconciler reads the world and makes it right. Every cached object is also re-queued each
 * `resyncPeriodMs`, so a missed event (or a NATS message that never came) still converges.
 */
import type { Informer, ObjectLike } from "./informer.ts";
import { keyOf } from "./object-key.ts";
import { WorkQueue, type ReconcileResult } from "./work-queue.ts";

export interface Watched<T extends ObjectLike> {
  informer: Informer<T>;
  /** Keys of the primary objects affected by a change to this object. */
  keysFor: (obj: T) => string[];
}

export interface ControllerOptions<P extends ObjectLike> {
  name: string;
  primary: Informer<P>;
  secondary?: Watched<ObjectLike>[];
  reconcile: (key: string) => Promise<ReconcileResult | void>;
  concurrency?: number;
  resyncPeriodMs?: number;
  onError?: (key: string, err: unknown, retryInMs: number | undefined) => void;
}

export class Controller<P extends ObjectLike> {
  readonly queue: WorkQueue;
  private readonly options: ControllerOptions<P>;
  private resyncTimer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(options: ControllerOptions<P>) {
    this.options = options;
    this.queue = new WorkQueue(options.reconcile, { concurrency: options.concurrency ?? 4, onError: options.onError });
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
    const enqueue = (obj: ObjectLike) => this.running && this.queue.add(keyOf(obj));
    this.options.primary.addHandler((_type, obj) => enqueue(obj));
    for (const watched of this.options.secondary ?? []) {
      watched.informer.addHandler((_type, obj) => {
        if (!this.running) return;
        for (const key of watched.keysFor(obj)) this.queue.add(key);
      });
    }
    await this.options.primary.hasSynced();
    const period = this.options.resyncPeriodMs ?? 5 * 60_000;
    this.resyncTimer = setInterval(() => {
      for (const obj of this.options.primary.list()) this.queue.add(keyOf(obj));
    }, period);
    this.resyncTimer.unref();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    await this.queue.shutdown();
  }
}
