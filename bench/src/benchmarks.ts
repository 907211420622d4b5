import { dataBenchmark } from './data.bench';
import { eventsBenchmark } from './events.bench';

/** A benchmark `npm run bench -- <name> [options]` can run; `run` parses its own options and returns the exit code. */
export interface Benchmark {
  name: string;
  description: string;
  run(argv: string[]): Promise<number>;
}

export const BENCHMARKS: Benchmark[] = [dataBenchmark, eventsBenchmark];
