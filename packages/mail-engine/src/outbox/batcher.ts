/**
 * Collects items and writes them in batches: the first item waits at most `delayMs`, a full batch
 * goes at once, and while one batch is being written the next one fills. Under load, batches grow
 * to whatever arrived during the previous write; when idle, an item waits only `delayMs`.
 * Each `add` resolves with that item's own result once its batch is written.
 */
export class Batcher<T, R> {
  private pending: Array<{ item: T; resolve: (r: R) => void; reject: (e: unknown) => void }> = [];
  private timer: NodeJS.Timeout | null = null;
  private writing = false;

  constructor(
    private readonly write: (items: T[]) => Promise<R[]>,
    private readonly options: { maxBatch: number; delayMs: number },
  ) {}

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length >= this.options.maxBatch) this.kick();
      else this.timer ??= setTimeout(() => this.kick(), this.options.delayMs);
    });
  }

  private kick(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.writing || !this.pending.length) return;
    const batch = this.pending.splice(0, this.options.maxBatch);
    this.writing = true;
    this.write(batch.map((b) => b.item))
      .then(
        (results) => batch.forEach((b, i) => b.resolve(results[i]!)),
        (err: unknown) => batch.forEach((b) => b.reject(err)),
      )
      .finally(() => {
        this.writing = false;
        // Whatever arrived meanwhile has waited long enough.
        if (this.pending.length) this.kick();
      });
  }
}
