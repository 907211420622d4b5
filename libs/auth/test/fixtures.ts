import { createDataSource } from '@plue/db';
import type { TestDatabase } from '@plue/testing';
import type { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { AUTH_ENTITIES } from '../src';

export const AUTH_TABLES = [
  'users',
  'email_addresses',
  'auth_sessions',
  'access_tokens',
  'siwe_nonces',
  'ssh_keys',
  'rate_limits',
] as const;

/** A DataSource connected as the auth-service's own role, proving its grants suffice. */
export async function authDataSource(database: TestDatabase, poolSize = 4): Promise<DataSource> {
  const dataSource = createDataSource(
    { url: database.urlFor('plue_auth'), poolSize, statementTimeoutMs: 10_000, applicationName: 'auth-test' },
    AUTH_ENTITIES,
  );
  return dataSource.initialize();
}

export async function countRows(client: Client, table: (typeof AUTH_TABLES)[number]): Promise<number> {
  const { rows } = await client.query<{ count: string }>(`SELECT count(*) AS count FROM ${table}`);
  return Number(rows[0].count);
}

export async function countAllAuthRows(client: Client): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of AUTH_TABLES) counts[table] = await countRows(client, table);
  return counts;
}
