import 'reflect-metadata';
import { BENCHMARKS } from './benchmarks';

// `npm run bench -- <name> [options]`: runs one benchmark; results go to stdout, progress to stderr.
const USAGE_ERROR = 2;

async function main(argv: string[]): Promise<number> {
  const [name, ...options] = argv;
  const benchmark = BENCHMARKS.find((candidate) => candidate.name === name);
  if (!benchmark) {
    if (name !== undefined) process.stderr.write(`unknown benchmark "${name}"\n`);
    process.stderr.write(
      'usage: npm run bench -- <name> [options]   (<name> --help lists its options)\n\nbenchmarks:\n',
    );
    for (const known of BENCHMARKS) process.stderr.write(`  ${known.name.padEnd(10)} ${known.description}\n`);
    return USAGE_ERROR;
  }
  return benchmark.run(options);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
