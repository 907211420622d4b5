import { ConfigurationError } from '@plue/db';
import { setTimeout as sleep } from 'node:timers/promises';
import { startService, type ServiceDefinition } from './start-service';

/** sysexits' EX_CONFIG: the environment is wrong, restarting will not help. */
export const EXIT_CONFIGURATION = 78;

/**
 * The whole `main.ts` of a service: starts it, stops it gracefully on SIGTERM or SIGINT (exit 0),
 * or exits 1 when the stop takes longer than SHUTDOWN_TIMEOUT_MS plus a margin. A bad environment
 * prints one message naming every bad variable and exits 78; any other start failure exits 1.
 */
export async function runServiceMain<Extras>(definition: ServiceDefinition<Extras>): Promise<void> {
  let running: Awaited<ReturnType<typeof startService<Extras>>>;
  try {
    running = await startService(definition);
  } catch (error) {
    if (error instanceof ConfigurationError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(EXIT_CONFIGURATION);
    }
    process.stderr.write(
      `${definition.domain}-service failed to start: ${error instanceof Error ? error.stack : error}\n`,
    );
    process.exit(1);
  }
  const { logger, stop, config } = running;
  const onSignal = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'shutdown requested');
    const margin = 5000;
    void Promise.race([
      stop().then(() => 0),
      sleep(config.shutdownTimeoutMs + margin, 1, { ref: false }).then(() => {
        logger.error('graceful shutdown timed out: exiting anyway');
        return 1;
      }),
    ]).then((code) => logger.flush(() => process.exit(code)));
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
