import path from 'node:path';
import { openDatabase, runMigrator } from './database';
import { createLogOutput } from './log-output';
import { openNats } from './nats';
import { upReport } from './report';
import { resolveServiceDatabases } from './service-roles';
import { LaunchedService } from './services';
import { DOMAINS, readSettings, type Domain, type LauncherSettings } from './settings';
import { Watchdog } from './watchdog';

// `npm start`: the platform on one machine. Brings up the database and NATS (given, found or
// started), migrates, starts the four services from their build output, waits until each is ready
// and prints what runs where. Ctrl-C or SIGTERM stops everything in reverse order: the services
// (they drain), the nats-server and the embedded database if the launcher started them.

let settings: LauncherSettings;
try {
  settings = readSettings();
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
// Its grace per process covers a service's own graceful stop.
const watchdog = Watchdog.start(Math.ceil(settings.stopTimeoutMs / 1000));
/** How to stop what has been started, in start order; run in reverse. */
const stops: Array<() => Promise<unknown>> = [];
const startAborted = new AbortController();
let state: 'starting' | 'up' | 'stopping' = 'starting';

// `npm start | tee log`: a Ctrl-C ends the reader too; the orderly stop must go on without output.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (state === 'starting') startAborted.abort();
    else if (state === 'up') void shutdown(0);
  });
}

async function start(): Promise<void> {
  const database = await openDatabase(settings.databaseUrl, settings.dataDir, settings.embeddedPostgresPort, watchdog);
  stops.push(() => database.stop());
  startAborted.signal.throwIfAborted();
  console.log(`database: ${database.description}`);
  for (const command of ['up', 'status']) {
    const code = await runMigrator([command], database.url);
    if (code !== 0) throw new Error(`migrate ${command} failed (exit code ${code})`);
    startAborted.signal.throwIfAborted();
  }

  const databases = await resolveServiceDatabases(database.url, DOMAINS, settings.serviceDatabaseUrls);
  stops.push(() => databases.release());
  const nats = await openNats(settings.natsUrl, settings.natsPort, path.join(settings.dataDir, 'nats'), watchdog);
  stops.push(() => nats.stop());
  startAborted.signal.throwIfAborted();

  const output = createLogOutput(process.stdout.isTTY === true);
  const services = new Map<Domain, LaunchedService>();
  stops.push(() => Promise.all([...services.values()].map((service) => service.stop(settings.stopTimeoutMs))));
  for (const domain of DOMAINS) {
    const env = {
      ...process.env,
      DATABASE_URL: databases.byDomain[domain].url,
      NATS_URL: nats.url,
      HEALTH_PORT: String(settings.healthPorts[domain]),
      LOG_LEVEL: settings.logLevel,
    };
    services.set(domain, LaunchedService.start(domain, env, output, watchdog));
  }
  await Promise.all(
    [...services.values()].map((service) =>
      service.waitUntilReady(settings.readyTimeoutMs, startAborted.signal).catch((error: Error) => {
        throw new Error(`${error.message}. Its last lines:\n${service.lastLines()}`);
      }),
    ),
  );
  for (const service of services.values()) {
    void service.exited.then(() => {
      if (state !== 'up') return;
      console.error(`\n${service.name} exited (${service.exitDescription()}); its last lines:\n${service.lastLines()}`);
      void shutdown(1);
    });
  }
  state = 'up';
  console.log(upReport(services, databases, nats, database));
  if (startAborted.signal.aborted) await shutdown(0);
}

async function shutdown(code: number): Promise<void> {
  if (state === 'stopping') return;
  state = 'stopping';
  console.log('\nstopping…');
  let exitCode = code;
  for (const stop of stops.reverse()) {
    try {
      await stop();
    } catch (error) {
      console.error(`while stopping: ${error instanceof Error ? error.message : error}`);
      exitCode ||= 1;
    }
  }
  await watchdog.release();
  console.log('stopped.');
  process.exit(exitCode);
}

start().catch((error: unknown) => {
  if (startAborted.signal.aborted) return shutdown(0);
  console.error(`\nnpm start failed: ${error instanceof Error ? error.message : error}`);
  return shutdown(1);
});
