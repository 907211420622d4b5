/** One call of the measured path; `iteration` lets the path rotate through its inputs. */
export type Operation = (iteration: number) => Promise<unknown>;

export interface Measurement {
  operations: number;
  opsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /**
   * CPU time of this Node.js process per call (user + system): the client-side cost of a call,
   * which on a machine shared with PostgreSQL is taken from the database's CPU.
   */
  clientCpuMicrosPerOp: number;
}

export interface Comparison {
  dao: Measurement;
  raw: Measurement;
}

export interface MeasureOptions {
  /** Calls in flight at once (one per pooled connection). */
  concurrency: number;
  /** Measured time of both sides together; each side gets half. */
  durationMs: number;
  /** Unmeasured time per side before measuring: JIT, plan caches, shared buffers. */
  warmupMs: number;
  /** Length of one turn of a side; turns alternate so that drift (autovacuum, cache, CPU boost) hits both. */
  sliceMs: number;
}

/** Latencies and counts of one side, accumulated over its turns. */
class SideRecorder {
  private latencies = new Float64Array(1024);
  private count = 0;
  private busyMs = 0;
  private cpuMicros = 0;
  private nextIteration = 0;

  constructor(readonly operation: Operation) {}

  /**
   * Runs the operation in a closed loop on `concurrency` workers until `durationMs` has passed
   * (calls in flight then finish); the turn's wall time counts towards throughput.
   */
  async turn(concurrency: number, durationMs: number, record: boolean): Promise<void> {
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const deadline = started + durationMs;
    const worker = async () => {
      while (performance.now() < deadline) {
        const iteration = this.nextIteration++;
        const callStarted = performance.now();
        await this.operation(iteration);
        if (record) this.add(performance.now() - callStarted);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    if (!record) return;
    this.busyMs += performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    this.cpuMicros += cpu.user + cpu.system;
  }

  result(): Measurement {
    const sorted = this.latencies.slice(0, this.count).sort();
    return {
      operations: this.count,
      opsPerSecond: this.busyMs > 0 ? (this.count * 1000) / this.busyMs : 0,
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
      clientCpuMicrosPerOp: this.count > 0 ? this.cpuMicros / this.count : Number.NaN,
    };
  }

  private add(latencyMs: number): void {
    if (this.count === this.latencies.length) {
      const grown = new Float64Array(this.latencies.length * 2);
      grown.set(this.latencies);
      this.latencies = grown;
    }
    this.latencies[this.count++] = latencyMs;
  }
}

/** Nearest-rank percentile of ascending `sorted`. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(Math.max(rank, 1), sorted.length) - 1];
}

/**
 * Measures the DAO call and its raw-pg twin in the same run: both warm up, then they take turns of
 * `sliceMs` (DAO first in even rounds, raw first in odd ones) until each has had half the duration.
 */
export async function compareDaoWithRaw(dao: Operation, raw: Operation, options: MeasureOptions): Promise<Comparison> {
  const daoSide = new SideRecorder(dao);
  const rawSide = new SideRecorder(raw);
  await daoSide.turn(options.concurrency, options.warmupMs, false);
  await rawSide.turn(options.concurrency, options.warmupMs, false);
  const perSideMs = options.durationMs / 2;
  const rounds = Math.max(1, Math.round(perSideMs / options.sliceMs));
  const sliceMs = perSideMs / rounds;
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? [daoSide, rawSide] : [rawSide, daoSide];
    for (const side of order) await side.turn(options.concurrency, sliceMs, true);
  }
  return { dao: daoSide.result(), raw: rawSide.result() };
}
