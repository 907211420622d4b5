import { OutboxRelay } from '@plue/messaging';
import type { ProducerService } from './fault-workload';
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

/** One relay instance of a producing service; several run per service, one of them leads. */
export interface RelayConfig {
  service: ProducerService;
  databaseUrl: string;
  natsUrl: string;
  /** `after-publish`: SIGKILL between the broker's acknowledgement and the row update. */
  crash?: CrashPlan;
  publishTimeoutMs: number;
  pollIntervalMs: number;
  leaderPollMs: number;
}

async function main(): Promise<void> {
  const config = readWorkerConfig<RelayConfig>();
  const dataSource = await openDataSource(config.databaseUrl, 2, `fault relay ${config.service}`);
  const connection = await connectNats(config.natsUrl, `fault relay ${config.service}`);
  const crash = crashCounter(config.crash, 'after-publish');
  const relay = new OutboxRelay({
    schema: config.service,
    dataSource,
    connection,
    publishTimeoutMs: config.publishTimeoutMs,
    pollIntervalMs: config.pollIntervalMs,
    leaderPollMs: config.leaderPollMs,
    retry: { initialMs: 100, maxMs: 1_000 },
    hooks: { afterPublish: crash },
  });
  onTerminate(async () => {
    await relay.stop();
    await connection.close();
    await dataSource.destroy();
  });
  relay.start();
  report({ type: 'ready' });
}

main().catch(fail);
