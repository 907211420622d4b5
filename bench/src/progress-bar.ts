/**
 * A one-line progress bar on stderr (stdout stays for results). On a terminal it redraws in place at
 * most every 100 ms; otherwise (CI logs, a pipe) it prints a line every 10 % so logs stay short.
 */
export class ProgressBar {
  private readonly startedAt = performance.now();
  private lastDrawnAt = 0;
  private lastReportedTenth = -1;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  update(done: number): void {
    const now = performance.now();
    if (this.stream.isTTY) {
      if (now - this.lastDrawnAt < 100 && done < this.total) return;
      this.lastDrawnAt = now;
      this.stream.write(`\r${this.render(done, now)}\x1b[K`);
      return;
    }
    const tenth = Math.floor((10 * done) / Math.max(this.total, 1));
    if (tenth > this.lastReportedTenth) {
      this.lastReportedTenth = tenth;
      this.stream.write(`${this.render(done, now)}\n`);
    }
  }

  /** Draws the final state and ends the line. */
  finish(): void {
    this.update(this.total);
    if (this.stream.isTTY) this.stream.write('\n');
  }

  private render(done: number, now: number): string {
    const width = 30;
    const fraction = this.total > 0 ? Math.min(done / this.total, 1) : 1;
    const filled = Math.round(fraction * width);
    const elapsedSeconds = (now - this.startedAt) / 1000;
    const rate = elapsedSeconds > 0 ? done / elapsedSeconds : 0;
    const eta = rate > 0 && done < this.total ? ` ETA ${Math.ceil((this.total - done) / rate)} s` : '';
    return (
      `${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%` +
      ` ${done.toLocaleString('en-US')}/${this.total.toLocaleString('en-US')}` +
      ` ${Math.round(rate).toLocaleString('en-US')}/s ${elapsedSeconds.toFixed(0)} s${eta}`
    );
  }
}
