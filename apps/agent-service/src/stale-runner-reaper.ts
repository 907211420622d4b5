import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { RunnerPoolDao } from '@plue/agent';
import { SERVICE_CONFIG, SERVICE_LOGGER, type ServiceConfig } from '@plue/service-kit';
import type { Logger } from 'pino';
import type { AgentServiceSettings } from './agent-service.settings';

/**
 * Every RUNNER_REAP_INTERVAL_SECONDS, terminates the runners whose last heartbeat is older than
 * RUNNER_HEARTBEAT_TIMEOUT_SECONDS and puts the steps they held back in the queue, so a pod that
 * died mid-step does not hold its step forever (`RunnerPoolDao.reapStale`).
 *
 * Every instance sweeps; they never reap a runner twice because a sweep is one UPDATE of the
 * stale rows it could lock (`FOR UPDATE SKIP LOCKED`) that returns what it changed. The timer is
 * unref'd (it never keeps the process alive) and stopped when the application closes, after the
 * sweep in progress, if any, has finished (the pool closes after the application).
 */
@Injectable()
export class StaleRunnerReaper implements OnApplicationBootstrap, OnModuleDestroy {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private stopped = false;
  private readonly logger: Logger;
  private readonly settings: AgentServiceSettings;

  constructor(
    private readonly runners: RunnerPoolDao,
    @Inject(SERVICE_CONFIG) config: ServiceConfig<AgentServiceSettings>,
    @Inject(SERVICE_LOGGER) logger: Logger,
  ) {
    this.settings = config.extras;
    this.logger = logger.child({ component: 'StaleRunnerReaper' });
  }

  onApplicationBootstrap(): void {
    this.schedule();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.sweeping;
  }

  /** One sweep; resolves when it is done. Errors are logged (the next sweep tries again). */
  private async sweep(): Promise<void> {
    try {
      const { runners, requeuedSteps } = await this.runners.reapStale(this.settings.RUNNER_HEARTBEAT_TIMEOUT_SECONDS);
      if (runners.length > 0) {
        this.logger.warn(
          {
            runnerIds: runners.map((runner) => runner.id),
            podNames: runners.map((runner) => runner.podName),
            requeuedStepIds: requeuedSteps.map((step) => step.id),
          },
          'stale runners terminated',
        );
      }
    } catch (error) {
      this.logger.error({ err: error }, 'reaping stale runners failed');
    }
  }

  /** A chain of timeouts rather than an interval: a slow sweep never overlaps the next one. */
  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.sweeping = this.sweep().finally(() => {
        this.sweeping = undefined;
        this.schedule();
      });
    }, this.settings.RUNNER_REAP_INTERVAL_SECONDS * 1000);
    this.timer.unref();
  }
}
