/**
 * At most `limit` messages per account handed to its SMTP pool at once. Many rows may be leased,
 * but a message's bytes are read only when it is its turn, so memory stays bounded by
 * connections × message size rather than by the claim size.
 */
export class SendGate {
  private readonly active = new Map<string, number>();
  private readonly waiting = new Map<string, Array<() => void>>();

  constructor(private readonly limit: number) {}

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    if ((this.active.get(key) ?? 0) >= this.limit) await new Promise<void>((resolve) => this.waiting.set(key, [...(this.waiting.get(key) ?? []), resolve]));
    this.active.set(key, (this.active.get(key) ?? 0) + 1);
    try {
      return await task();
    } finally {
      const queue = this.waiting.get(key);
      const next = queue?.shift();
      if (!queue?.length) this.waiting.delete(key);
      this.active.set(key, (this.active.get(key) ?? 1) - 1);
      if (!this.active.get(key)) this.active.delete(key);
      next?.();
    }
  }
}
