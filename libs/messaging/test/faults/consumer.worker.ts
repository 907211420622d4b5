import { Controller, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { JetStreamContext, JetStreamErrorFilter, JetStreamServer, type ConsumerTuning } from '@plue/messaging';
import { readPayload, sideEffectTable, type ConsumerService, type FaultSubject } from './fault-workload';
import {
  connectNats,
  crashCounter,
  fail,
  onTerminate,
  openDataSource,
  readWorkerConfig,
  report,
  type CrashPlan,
} from './worker-runtime';

/** One instance of a consuming service; all instances of a service bind the same durable consumers. */
export interface ConsumerConfig {
  service: ConsumerService;
  subjects: FaultSubject[];
  databaseUrl: string;
  natsUrl: string;
  /** `after-commit`: SIGKILL after the inbox transaction committed, before the ack. */
  crash?: CrashPlan;
  tuning: Partial<ConsumerTuning>;
  poolSize: number;
}

const config = readWorkerConfig<ConsumerConfig>();
const table = sideEffectTable(config.service);

/**
 * The side effect: one row per (consumer, event number), in the handler's transaction. A second
 * effect of the same event does not fail (that would only turn it into a retry) but is counted.
 */
async function applyEvent(payload: Record<string, unknown>, context: JetStreamContext): Promise<void> {
  const { event, tx } = context;
  const { eventNumber, poison } = readPayload(event.subject, payload);
  if (poison) throw new Error(`poison event ${eventNumber}: this handler always fails`);
  await tx.query(
    `INSERT INTO ${table} (consumer, event_number, event_id, subject, aggregate_id, aggregate_version)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (consumer, event_number) DO UPDATE SET duplicates = ${table}.duplicates + 1`,
    [event.consumer, eventNumber, event.id, event.subject, event.aggregateId, event.aggregateVersion],
  );
}

@Controller()
class BranchPushedHandler {
  @EventPattern<string>('plue.git.branch.pushed')
  handle(@Payload() payload: Record<string, unknown>, @Ctx() context: JetStreamContext): Promise<void> {
    return applyEvent(payload, context);
  }
}

@Controller()
class CommentCreatedHandler {
  @EventPattern<string>('plue.collaboration.comment.created')
  handle(@Payload() payload: Record<string, unknown>, @Ctx() context: JetStreamContext): Promise<void> {
    return applyEvent(payload, context);
  }
}

const HANDLERS: Record<FaultSubject, Type<unknown>> = {
  'plue.git.branch.pushed': BranchPushedHandler,
  'plue.collaboration.comment.created': CommentCreatedHandler,
};

async function main(): Promise<void> {
  const dataSource = await openDataSource(config.databaseUrl, config.poolSize, `fault consumer ${config.service}`);
  const connection = await connectNats(config.natsUrl, `fault consumer ${config.service}`);
  const crash = crashCounter(config.crash, 'after-commit');

  @Module({ controllers: config.subjects.map((subject) => HANDLERS[subject]) })
  class ConsumerModule {}

  const app = await NestFactory.createMicroservice(ConsumerModule, {
    strategy: new JetStreamServer({
      service: config.service,
      schema: config.service,
      dataSource,
      connection,
      tuning: config.tuning,
      hooks: { afterCommit: crash },
    }),
    logger: ['error', 'warn'],
  });
  app.useGlobalFilters(new JetStreamErrorFilter());
  onTerminate(async () => {
    await app.close();
    await connection.close();
    await dataSource.destroy();
  });
  await app.listen();
  report({ type: 'ready' });
}

main().catch(fail);
