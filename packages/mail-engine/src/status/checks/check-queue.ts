/**
 * Bounds how many checks *work* at once, not how many may wait: a check holds its slot until it
 * finishes, gives it back itself (`release`, called when it is only waiting for a silent
 * server), or has run `slowAfterMs`, whichever comes first. Connecting, TLS and logging in cost
 * CPU on both ends, so bursts are bounded; a server that accepts and then stays silent costs only
 * an idle socket and a timer, so it never holds up the others (A10: one slow server never delays
 * the rest).
 */
export class CheckQueue {
  private active = 0;
  // One line per workspace, served in turn (issue 17): a workspace refreshing 2,000 accounts
  // does not make another's ten wait behind all of them.
  private readonly lanes = new Map<string, Array<() => void>>();
  private window: number;

  /**
   * `initial` is a slow start: a burst begins with that many checks and the window grows by one
   * with every slot given back, up to `limit`. The first results then come back as fast as one
   * check can run, instead of every check of a 200-account refresh sharing the CPU from the
   * first millisecond; the window resets once the queue has drained.
   */
  constructor(
    private readonly limit: number,
    private readonly slowAfterMs: number,
    private readonly initial = limit,
  ) {
    this.window = Math.min(initial, limit);
  }

  /** Checks holding a slot right now (for tests and metrics). */
  get running(): number {
    return this.active;
  }

  get queued(): number {
    let n = 0;
    for (const lane of this.lanes.values()) n += lane.length;
    return n;
  }

  /** `lane`: whose turn this check waits in (a workspace); lanes take turns when checks queue. */
  run<T>(task: (release: () => void) => Promise<T>, lane = ''): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        this.active += 1;
        let released = false;
        const release = () => {
          if (released) return;
          released = true;
          clearTimeout(timer);
          this.active -= 1;
          this.next();
        };
        const timer = setTimeout(release, this.slowAfterMs);
        timer.unref?.();
        let promise: Promise<T>;
        try {
          promise = task(release);
        } catch (err) {
          promise = Promise.reject(err);
        }
        promise.then(resolve, reject).finally(release);
      };
      if (this.active < this.window) start();
      else {
        const queue = this.lanes.get(lane);
        if (queue) queue.push(start);
        else this.lanes.set(lane, [start]);
      }
    });
  }

  private next(): void {
    this.window = Math.min(this.limit, this.window + 1);
    while (this.active < this.window && this.lanes.size) {
      const [lane, queue] = this.lanes.entries().next().value!;
      const start = queue.shift()!;
      // The lane goes to the back of the line (or leaves it when empty).
      this.lanes.delete(lane);
      if (queue.length) this.lanes.set(lane, queue);
      start();
    }
    if (!this.active && !this.lanes.size) this.window = Math.min(this.initial, this.limit);
  }
}
