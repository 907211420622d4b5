import { hostname } from 'node:os';
import { Client } from 'pg';
import { ExitCode, MigratorError } from './exit-codes';

/**
 * Every session the migrator opens carries this name, so that whoever waits for the migration lock
 * (or looks at pg_stat_activity) can tell which machine and process holds it.
 */
export const applicationName = `plue-migrator ${hostname()} pid ${process.pid}`.slice(0, 63);

/** Checks DATABASE_URL early, so that a typo is a usage error and not a connection failure later. */
export function parseDatabaseUrl(value: string | undefined): URL {
  if (!value) throw new MigratorError('DATABASE_URL is not set (e.g. postgres://user@host:5432/plue)', ExitCode.usage);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new MigratorError('DATABASE_URL is not a URL (e.g. postgres://user@host:5432/plue)', ExitCode.usage);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new MigratorError(
      `DATABASE_URL must start with postgres:// or postgresql://, not ${url.protocol}//`,
      ExitCode.usage,
    );
  }
  if (url.pathname.length <= 1) throw new MigratorError('DATABASE_URL names no database', ExitCode.usage);
  return url;
}

/** The URL with its password hidden, for messages. */
function describeUrl(url: URL): string {
  const shown = new URL(url);
  if (shown.password) shown.password = '***';
  return shown.toString();
}

export function databaseName(url: URL): string {
  return decodeURIComponent(url.pathname.slice(1));
}

export function withDatabaseName(url: URL, database: string): URL {
  const other = new URL(url);
  other.pathname = `/${encodeURIComponent(database)}`;
  return other;
}

export async function connect(url: URL): Promise<Client> {
  const client = new Client({ connectionString: url.toString(), application_name: applicationName });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new MigratorError(`cannot connect to ${describeUrl(url)}: ${(error as Error).message}`, ExitCode.failed);
  }
  // An error on an idle session (server restart, terminated backend) surfaces on the next query;
  // without a listener it would crash the process instead.
  client.on('error', () => undefined);
  return client;
}

export async function withClient<T>(url: URL, work: (client: Client) => Promise<T>): Promise<T> {
  const client = await connect(url);
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}
