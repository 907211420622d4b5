/**
 * A sleep that ends early when woken, for one loop; a wake that arrives while the loop is busy is
 * kept, so the next sleep returns at once and no notification is missed.
 */
export class WakeSignal {
  private pending = false;
  private wakeUp: (() => void) | null = null;

  wake(): void {
    this.pending = true;
    this.wakeUp?.();
  }

  /** Resolves after `ms`, or at once when woken since the last sleep. */
  sleep(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        this.pending = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }
}
