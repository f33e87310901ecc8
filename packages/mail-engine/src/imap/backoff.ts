/**
 * Exponential backoff with full jitter. Non-transient failures (wrong password, bad certificate)
 * start slower: hammering a provider with bad logins gets the mailbox locked.
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly minMs = 1000,
    private readonly maxMs = 5 * 60_000,
    private readonly random: () => number = Math.random,
  ) {}

  next(transient = true): number {
    const base = transient ? this.minMs : Math.max(this.minMs, 60_000);
    const cap = transient ? this.maxMs : Math.max(this.maxMs, 30 * 60_000);
    const ceiling = Math.min(cap, base * 2 ** this.attempt);
    this.attempt += 1;
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }

  reset(): void {
    this.attempt = 0;
  }
}
