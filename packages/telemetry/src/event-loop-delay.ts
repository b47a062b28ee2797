/**
 * How long the event loop was held up, window by window: a timer that should fire every
 * `resolutionMs` records how long it really took. Node's `monitorEventLoopDelay` does the same in
 * C++, but its `reset()` also forgets when it last fired, so a stall that begins within one
 * resolution of a reset (a scrape followed at once by a big synchronous relist) is never recorded.
 * Here the last firing is kept across windows and only the samples are cleared.
 */
import { createHistogram, type RecordableHistogram } from "node:perf_hooks";

export interface LoopDelayWindow {
  maxSeconds: number;
  p99Seconds: number;
}

export class EventLoopDelay {
  private readonly histogram: RecordableHistogram = createHistogram();
  private readonly timer: NodeJS.Timeout;
  private last = process.hrtime.bigint();

  constructor(resolutionMs = 10) {
    this.timer = setInterval(() => {
      const now = process.hrtime.bigint();
      this.histogram.record(Math.max(1, Number(now - this.last)));
      this.last = now;
    }, resolutionMs);
    // A service's exit is never held up by its own instrument.
    this.timer.unref();
  }

  /** The delays since the last window (undefined when the timer has not fired since), then starts a new one. */
  takeWindow(): LoopDelayWindow | undefined {
    if (this.histogram.count === 0) return undefined;
    const window = { maxSeconds: this.histogram.max / 1e9, p99Seconds: this.histogram.percentile(99) / 1e9 };
    this.histogram.reset();
    return window;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
