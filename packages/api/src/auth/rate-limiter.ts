/**
 * Fixed-window counter per key, in process memory. Enough to blunt password guessing against one
 * API process; behind several processes each keeps its own window (documented in the README).
 */
export class RateLimiter {
  private readonly hits = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one attempt; returns the seconds to wait when the key is over its limit, else 0. */
  hit(key: string): number {
    const now = this.now();
    const entry = this.hits.get(key);
    if (!entry || entry.resetAt <= now) {
      this.hits.set(key, { count: 1, resetAt: now + this.windowMs });
      if (this.hits.size > 10_000) this.sweep(now);
      return 0;
    }
    entry.count += 1;
    return entry.count > this.limit ? Math.ceil((entry.resetAt - now) / 1000) : 0;
  }

  reset(key: string): void {
    this.hits.delete(key);
  }

  private sweep(now: number): void {
    for (const [key, entry] of this.hits) if (entry.resetAt <= now) this.hits.delete(key);
  }
}

/**
 * Slows down guessing against one address without locking its owner out (a stranger can fail
 * as often as they like, but cannot make the real user's right password refused): after
 * `freeFailures` failures in the window every attempt waits, doubling up to `maxDelayMs`.
 */
export class FailureDelay {
  private readonly failures = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly freeFailures = 5,
    private readonly baseDelayMs = 250,
    private readonly maxDelayMs = 8000,
    private readonly windowMs = 15 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** How long the next attempt for `key` waits before its password is checked. */
  delayMs(key: string): number {
    const entry = this.failures.get(key);
    if (!entry || entry.resetAt <= this.now()) return 0;
    const over = entry.count - this.freeFailures;
    return over < 0 ? 0 : Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** over);
  }

  fail(key: string): void {
    const now = this.now();
    const entry = this.failures.get(key);
    if (!entry || entry.resetAt <= now) {
      this.failures.set(key, { count: 1, resetAt: now + this.windowMs });
      if (this.failures.size > 10_000) for (const [k, e] of this.failures) if (e.resetAt <= now) this.failures.delete(k);
    } else entry.count += 1;
  }

  reset(key: string): void {
    this.failures.delete(key);
  }
}
