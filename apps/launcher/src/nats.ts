import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { startNatsServer, type OwnNatsServer } from './nats-server';
import type { Watchdog } from './watchdog';

export interface RunningNats {
  url: string;
  description: string;
  /** Process id of the nats-server the launcher started; undefined when it uses another. */
  pid: number | undefined;
  stop(): Promise<void>;
}

/** Why the launcher cannot go on: printed as is, without a stack. */
export class NatsUnavailableError extends Error {}

const INSTALL_HINT =
  'Install nats-server 2.9 or newer (JetStream included): on Debian/Ubuntu `apt install nats-server` ' +
  '(it lands in /usr/sbin: add that to PATH or set NATS_SERVER_BIN), or download it from https://nats.io/download/. ' +
  'Or set NATS_URL to a server with JetStream enabled.';

/**
 * NATS_URL when given; otherwise a server already listening on 127.0.0.1:<port>; otherwise a
 * nats-server of the launcher's own on that port, with JetStream and its store under `storeDir`.
 * Whichever it is must have JetStream enabled: the services' events need it.
 */
export async function openNats(
  natsUrl: string | undefined,
  port: number,
  storeDir: string,
  watchdog: Watchdog,
): Promise<RunningNats> {
  if (natsUrl) {
    const problem = await probe(natsUrl);
    if (problem === UNREACHABLE) throw new NatsUnavailableError(`NATS_URL=${natsUrl}: no NATS server answers there`);
    if (problem) throw new NatsUnavailableError(`NATS_URL=${natsUrl}: ${problem}`);
    return { url: natsUrl, description: 'NATS_URL', pid: undefined, stop: async () => {} };
  }
  const localUrl = `nats://127.0.0.1:${port}`;
  const problem = await probe(localUrl);
  if (problem === undefined) {
    return { url: localUrl, description: 'already running', pid: undefined, stop: async () => {} };
  }
  if (problem !== UNREACHABLE) throw new NatsUnavailableError(`the server on ${localUrl}: ${problem}`);

  let server: OwnNatsServer;
  try {
    server = await startNatsServer(port, storeDir, watchdog);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new NatsUnavailableError(`no NATS server on ${localUrl}, and ${message}. ${INSTALL_HINT}`);
  }
  const ownProblem = await probe(localUrl);
  if (ownProblem) {
    await server.stop();
    throw new NatsUnavailableError(`the nats-server the launcher started on ${localUrl}: ${ownProblem}`);
  }
  return {
    url: localUrl,
    description: `started by the launcher, JetStream data in ${storeDir}`,
    pid: server.pid,
    stop: () => server.stop(),
  };
}

const UNREACHABLE = 'unreachable';

/** Undefined when a NATS server answers at `url` with JetStream enabled; otherwise what is wrong. */
async function probe(url: string): Promise<string | undefined> {
  let connection;
  try {
    connection = await connect({ servers: url, reconnect: false, timeout: 3000 });
  } catch {
    return UNREACHABLE;
  }
  try {
    // Asks the JetStream API for the account's info: fails when JetStream is off.
    await jetstreamManager(connection, { timeout: 3000 });
    return undefined;
  } catch (error) {
    return (
      `JetStream is not enabled (${error instanceof Error ? error.message : error}); ` +
      'start nats-server with -js (and -sd <store dir>)'
    );
  } finally {
    await connection.close();
  }
}
