import { randomBytes } from 'node:crypto';
import { escapeIdentifier } from 'pg';
import { withClient, withDatabaseName } from './connection';

/**
 * Runs `work` against a new empty database on the same server as `serverUrl` (whose role needs
 * CREATEDB), and drops it afterwards whatever happens.
 */
export async function withScratchDatabase<T>(serverUrl: URL, work: (url: URL) => Promise<T>): Promise<T> {
  const name = `plue_verify_${randomBytes(6).toString('hex')}`;
  // template0: nothing anybody added to template1 ends up in what verify compares.
  await withClient(serverUrl, (client) => client.query(`CREATE DATABASE ${escapeIdentifier(name)} TEMPLATE template0`));
  try {
    return await work(withDatabaseName(serverUrl, name));
  } finally {
    await withClient(serverUrl, (client) =>
      client.query(`DROP DATABASE IF EXISTS ${escapeIdentifier(name)} WITH (FORCE)`),
    );
  }
}
