/** A sleep that ends early when woken (new mail, settings changed) or stopped. */
export class WakeableSleep {
  private wake: (() => void) | null = null;
  private pendingWake = false;

  /** Resolves true when woken before the timeout. */
  sleep(ms: number): Promise<boolean> {
    if (this.pendingWake) {
      this.pendingWake = false;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve(false);
      }, ms);
      timer.unref?.();
      this.wake = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve(true);
      };
    });
  }

  /** Wakes the current sleep, or makes the next one return at once. */
  trigger(): void {
    if (this.wake) this.wake();
    else this.pendingWake = true;
  }
}
