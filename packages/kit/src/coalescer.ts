/**
 * Rate-limits work per key without losing the last call: the first `trigger(key)` runs at once,
 * later ones within `intervalMs` of the previous run collapse into a single trailing run at the
 * end of the interval. So a member whose pods churn publishes at most once per interval, and the
 * final state is always published.
 */
export class Coalescer {
  private readonly lastRun = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly intervalMs: number;
  private readonly run: (key: string) => void;
  private readonly now: () => number;

  constructor(intervalMs: number, run: (key: string) => void, now: () => number = Date.now) {
    this.intervalMs = intervalMs;
    this.run = run;
    this.now = now;
  }

  trigger(key: string): void {
    if (this.timers.has(key)) return;
    const wait = (this.lastRun.get(key) ?? -Infinity) + this.intervalMs - this.now();
    if (wait <= 0) return this.fire(key);
    const timer = setTimeout(() => {
      this.timers.delete(key);
      this.fire(key);
    }, wait);
    timer.unref();
    this.timers.set(key, timer);
  }

  /** Forgets a key (e.g. a deleted cluster); a pending trailing run is cancelled. */
  forget(key: string): void {
    const t = this.timers.get(key);
    if (t) clearTimeout(t);
    this.timers.delete(key);
    this.lastRun.delete(key);
  }

  stop(): void {
    for (const key of [...this.timers.keys()]) this.forget(key);
  }

  private fire(key: string): void {
    this.lastRun.set(key, this.now());
    this.run(key);
  }
}
