export interface ConnectPacing {
  /** Logins (connect, TLS, greeting, authenticate, select) in progress at once, per engine. */
  concurrency: number;
  /** A mailbox's first connection waits a random 0..jitterMs, so an engine start is not one burst. */
  jitterMs: number;
}

export const DEFAULT_CONNECT_PACING: ConnectPacing = { concurrency: 10, jitterMs: 2000 };

/**
 * Bounds the logins an engine runs at once (issue 17). Thousands of mailboxes starting together,
 * or reconnecting after their server restarted, queue here in arrival order instead of opening
 * thousands of TLS handshakes and authentications against one provider at the same moment.
 * Only the login is paced; a connected mailbox syncs and idles outside the gate.
 */
export class ConnectGate {
  private inFlight = 0;
  private peakInFlight = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`connect concurrency must be a positive integer, got ${limit}`);
  }

  /** Resolves with a release function once a slot is free; call it exactly once. */
  async enter(): Promise<() => void> {
    if (this.inFlight >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.inFlight += 1;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      // The slot passes straight to the next in line: `inFlight` stays the same.
      if (next) next();
      else this.inFlight -= 1;
    };
  }

  get active(): number {
    return this.inFlight;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** The most logins that ran at once since the engine started. */
  get peak(): number {
    return this.peakInFlight;
  }
}
