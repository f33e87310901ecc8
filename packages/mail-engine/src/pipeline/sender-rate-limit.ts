/**
 * W5 flood protection: at most `limit` live messages per sender and workspace in a sliding
 * window. In memory per engine process: a flood hits one mailbox, which one process owns.
 */
export class SenderRateLimiter {
  private readonly seen = new Map<string, number[]>();

  constructor(
    private readonly limit = 20,
    private readonly windowMs = 10 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records one message; true when this sender is already over the limit. */
  overLimit(workspaceId: string, sender: string): boolean {
    const key = `${workspaceId}:${sender.toLowerCase()}`;
    const now = this.now();
    const recent = (this.seen.get(key) ?? []).filter((t) => now - t < this.windowMs);
    recent.push(now);
    this.seen.set(key, recent);
    if (this.seen.size > 50_000) this.sweep(now);
    return recent.length > this.limit;
  }

  private sweep(now: number): void {
    for (const [key, times] of this.seen) if (times.every((t) => now - t >= this.windowMs)) this.seen.delete(key);
  }
}
