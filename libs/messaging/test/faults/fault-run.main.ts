import { formatOutcomes } from './fault-report';
import { runFaultScenario } from './fault-scenario';

/**
 * The larger fault run for `npm run bench -- events`: the same scenario as faults.spec.ts with more
 * events, as a program (the bench runs it with register.js: the suite is TypeScript from source).
 * Arguments: <database url: superuser, a migrated database of its own> [events per producer]
 * [production seconds] [seed]. Prints the result as JSON on stdout, progress on stderr.
 */
async function main(argv: string[]): Promise<void> {
  const [databaseUrl, events = '10000', seconds = '40', seed = '20241'] = argv;
  if (!databaseUrl) throw new Error('usage: fault-run.main.ts <database url> [events per producer] [seconds] [seed]');
  const result = await runFaultScenario({
    databaseUrl,
    seed: Number(seed),
    eventsPerProducer: Number(events),
    productionMs: Number(seconds) * 1000,
    aggregates: 200,
    handlerPoisonPerProducer: 10,
    rawPoisonPerSubject: 3,
    consumerInstances: 2,
    relayInstances: 2,
    crashesPerInstance: 4,
    randomKills: 20,
    rollbackShare: 0.03,
    tuning: { ackWaitMs: 2_000, maxAttempts: 3, backoffMs: [100, 300], concurrency: 8 },
    drainTimeoutMs: 300_000,
    log: (line) => process.stderr.write(`[faults] ${line}\n`),
  });
  const table = formatOutcomes(result.consumers);
  process.stderr.write(`${table}\n`);
  process.stdout.write(`${JSON.stringify({ ...result, table })}\n`);
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
