import { useTestDatabase } from '@plue/testing';
import { formatOutcomes } from './fault-report';
import { runFaultScenario, type FaultScenarioResult } from './fault-scenario';

/**
 * The "proof that nothing is lost", bounded for `npm test`: a few thousand numbered events
 * from two producing services to two consuming services while consumers are SIGKILLed (at random
 * times and between commit and ack), relays are SIGKILLed between the broker's ack and the row
 * update, nats-server is killed and restarted and then paused for longer than the ack wait, and
 * poison is injected. PLUE_FAULT_SEED repeats a run; the default seed keeps `npm test` deterministic
 * in its fault plan (the timing of a real system still varies).
 */
const SEED = Number(process.env.PLUE_FAULT_SEED ?? 4_2024);
const ACK_WAIT_MS = 2_000;

describe('fault injection: nothing is lost', () => {
  const database = useTestDatabase();
  let result: FaultScenarioResult;

  beforeAll(async () => {
    result = await runFaultScenario({
      databaseUrl: database().url,
      seed: SEED,
      eventsPerProducer: 1_500,
      productionMs: 12_000,
      aggregates: 60,
      handlerPoisonPerProducer: 3,
      rawPoisonPerSubject: 1,
      consumerInstances: 2,
      relayInstances: 2,
      crashesPerInstance: 2,
      randomKills: 6,
      rollbackShare: 0.03,
      tuning: { ackWaitMs: ACK_WAIT_MS, maxAttempts: 3, backoffMs: [100, 300], concurrency: 8 },
      drainTimeoutMs: 60_000,
      log: (line) => process.stderr.write(`[faults] ${line}\n`),
    });
    process.stderr.write(
      `[faults] seed ${result.seed}: ${result.committedEvents} events committed, ${result.rolledBackEvents} rolled back; ` +
        `faults ${JSON.stringify(result.faults)}; failed starts retried ${result.failedStarts}; ` +
        `total ${Math.round(result.totalMs / 1000)} s\n` +
        `${formatOutcomes(result.consumers)}\n`,
    );
  }, 180_000);

  it('drains every consumer, with no worker failing on its own', () => {
    expect(result.workerFailures).toEqual([]);
    expect(result.drained).toBe(true);
    expect(result.unpublishedRows).toBe(0);
  });

  it('injected every kind of fault', () => {
    const { faults } = result;
    expect(faults.consumerKills).toBeGreaterThan(0);
    expect(faults.consumerCrashesAfterCommit).toBeGreaterThan(0);
    expect(faults.relayCrashesAfterPublish).toBeGreaterThan(0);
    expect(faults.natsRestarts).toBe(1);
    expect(faults.natsPauseMs).toBeGreaterThan(ACK_WAIT_MS);
    expect(faults.handlerPoison + faults.rawPoison).toBeGreaterThan(0);
  });

  it('loses nothing: lost = expected − processed − dead-lettered = 0 for every consumer', () => {
    expect(result.consumers).toHaveLength(3);
    for (const outcome of result.consumers) {
      expect({ consumer: outcome.consumer, lost: outcome.lost, missing: outcome.missing }).toEqual({
        consumer: outcome.consumer,
        lost: 0,
        missing: 0,
      });
    }
  });

  it('applies no side effect twice and none of a rolled-back event', () => {
    for (const outcome of result.consumers) {
      expect({
        consumer: outcome.consumer,
        duplicates: outcome.duplicates,
        doubleOutcomes: outcome.doubleOutcomes,
      }).toEqual({ consumer: outcome.consumer, duplicates: 0, doubleOutcomes: 0 });
      expect(outcome.unexpected).toBe(0);
    }
    expect(result.streamDuplicates).toBe(0);
  });

  it('applies the events of every aggregate in version order', () => {
    for (const outcome of result.consumers) {
      expect({ consumer: outcome.consumer, orderViolations: outcome.orderViolations }).toEqual({
        consumer: outcome.consumer,
        orderViolations: 0,
      });
    }
  });

  it('dead-letters exactly the poison injected', () => {
    for (const outcome of result.consumers) {
      expect(outcome.poisonInjected).toBeGreaterThan(0);
      expect({
        consumer: outcome.consumer,
        deadLettered: outcome.deadLettered,
        healthy: outcome.healthyDeadLetterErrors,
      }).toEqual({
        consumer: outcome.consumer,
        deadLettered: outcome.poisonInjected,
        healthy: [],
      });
    }
  });
});
