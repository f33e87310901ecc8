/**
 * Subscriptions open right now over graphql-ws, counted when an operation starts streaming and
 * uncounted when it completes or its socket closes. Operators see it in metrics; tests wait on it
 * ("the subscription is registered") instead of sleeping.
 */
export class SubscriptionCount {
  private readonly bySocket = new Map<object, Set<string>>();
  private total = 0;
  private readonly waiters: Array<{ atLeast: number; resolve: () => void }> = [];

  get open(): number {
    return this.total;
  }

  started(socket: object, id: string): void {
    const ids = this.bySocket.get(socket) ?? new Set<string>();
    if (ids.has(id)) return;
    ids.add(id);
    this.bySocket.set(socket, ids);
    this.total += 1;
    for (const w of [...this.waiters]) if (this.total >= w.atLeast) this.settle(w);
  }

  completed(socket: object, id: string): void {
    if (this.bySocket.get(socket)?.delete(id)) this.total -= 1;
  }

  closed(socket: object): void {
    this.total -= this.bySocket.get(socket)?.size ?? 0;
    this.bySocket.delete(socket);
  }

  /** Resolves once at least `atLeast` subscriptions are open. */
  reached(atLeast: number): Promise<void> {
    if (this.total >= atLeast) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ atLeast, resolve }));
  }

  private settle(waiter: { resolve: () => void }): void {
    this.waiters.splice(this.waiters.indexOf(waiter as never), 1);
    waiter.resolve();
  }
}
