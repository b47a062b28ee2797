/**
 * Per-key exponential backoff, as client-go's ItemExponentialFailureRateLimiter: each failure of
 * a key doubles its delay from `baseMs` up to `maxMs`; forgetting the key resets it.
 */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

export class ExponentialBackoff<K> {
  private readonly failures = new Map<K, number>();
  private readonly options: BackoffOptions;

  constructor(options: BackoffOptions) {
    this.options = options;
  }

  /** Records a failure of `key` and returns how long to wait before the next try. */
  next(key: K): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    // 2^n overflows to Infinity past ~1024; Math.min keeps the cap exact.
    return Math.min(this.options.baseMs * 2 ** n, this.options.maxMs);
  }

  /** Failures recorded for `key` since it was last forgotten. */
  retries(key: K): number {
    return this.failures.get(key) ?? 0;
  }

  forget(key: K): void {
    this.failures.delete(key);
  }
}

/**
 * Calls `attempt` until it resolves, waiting with exponential backoff between failures and
 * telling `onFailure` each time (for a log line naming what is unreachable). For start-up
 * dependencies a service cannot work without (the host API server, NATS).
 */
export async function retryWithBackoff<T>(
  attempt: () => Promise<T>,
  onFailure: (err: unknown, retryInMs: number) => void,
  options: BackoffOptions = { baseMs: 250, maxMs: 5000 },
): Promise<T> {
  const backoff = new ExponentialBackoff<"attempt">(options);
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      const wait = backoff.next("attempt");
      onFailure(err, wait);
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}
