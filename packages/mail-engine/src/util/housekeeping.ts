import type { Logger } from '@correio/core';

/**
 * Periodic tasks of a long-lived part (engine, outbox): each runs on its own interval, never
 * keeps the process alive, stops with the part, and a failure is logged, never thrown.
 */
export class Housekeeping {
  private readonly timers: NodeJS.Timeout[] = [];
  private stopped = false;

  constructor(
    private readonly log: Logger,
    private readonly what: string,
  ) {}

  every(ms: number, task: () => Promise<unknown> | unknown): void {
    const timer = setInterval(() => {
      if (this.stopped) return;
      Promise.resolve(task()).catch((err: Error) => this.log.warn({ err: { message: err.message } }, `${this.what} failed`));
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.splice(0)) clearInterval(t);
  }
}
