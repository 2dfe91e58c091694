/**
 * Counts failures in a sliding window: after `maxFailures` within `windowMs`, further attempts are
 * refused until the oldest failure leaves the window. Refused attempts are not counted, so a client that
 * keeps hammering is let back in at the same moment as one that waits.
 */
export class FailureWindow {
  private failures: number[] = [];

  constructor(
    private readonly maxFailures: number,
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  blocked(): boolean {
    this.prune();
    return this.failures.length >= this.maxFailures;
  }

  /** Milliseconds until an attempt would be allowed again (0 when it is now). */
  retryAfterMs(): number {
    if (!this.blocked()) return 0;
    return Math.max(0, this.failures[0]! + this.windowMs - this.now());
  }

  fail(): void {
    this.failures.push(this.now());
  }

  private prune(): void {
    const cutoff = this.now() - this.windowMs;
    let drop = 0;
    while (drop < this.failures.length && this.failures[drop]! <= cutoff) drop += 1;
    if (drop > 0) this.failures = this.failures.slice(drop);
  }
}

export interface RateLimit {
  maxFailures: number;
  windowMs: number;
}

/** Failure windows per key (a remote address), forgetting the oldest keys beyond `maxKeys`. */
export class KeyedFailureWindows {
  private readonly windows = new Map<string, FailureWindow>();

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number,
    private readonly maxKeys = 10_000,
  ) {}

  /** Forgets every key's failures. */
  clear(): void {
    this.windows.clear();
  }

  get(key: string): FailureWindow {
    let window = this.windows.get(key);
    if (!window) {
      if (this.windows.size >= this.maxKeys) this.windows.delete(this.windows.keys().next().value!);
      window = new FailureWindow(this.limit.maxFailures, this.limit.windowMs, this.now);
      this.windows.set(key, window);
    }
    return window;
  }
}
