import { createHash } from 'node:crypto';
import { AUTH_ENTITIES } from '@plue/auth';
import { COLLABORATION_ENTITIES } from '@plue/collaboration';
import { createDataSource } from '@plue/db';
import { GIT_ENTITIES } from '@plue/git';
import type { TestDatabase } from '@plue/testing';
import type { DataSource } from 'typeorm';
import { AGENT_ENTITIES } from '../src';

/** Every domain's entities: string targets such as 'User' and 'Repository' resolve across libs. */
export const ALL_ENTITIES = [...AUTH_ENTITIES, ...GIT_ENTITIES, ...COLLABORATION_ENTITIES, ...AGENT_ENTITIES];

/** An initialized DataSource on the test database, as the agent-service's role unless told otherwise. */
export async function openDataSource(
  database: TestDatabase,
  options: { role?: string | null; poolSize?: number; entities?: typeof ALL_ENTITIES } = {},
): Promise<DataSource> {
  const role = options.role === undefined ? 'plue_agent' : options.role;
  const dataSource = createDataSource(
    {
      url: role ? database.urlFor(role) : database.url,
      poolSize: options.poolSize ?? 4,
      statementTimeoutMs: 20_000,
      applicationName: 'agent-test',
    },
    options.entities ?? ALL_ENTITIES,
  );
  return dataSource.initialize();
}

type Queryable = { query: (sql: string, values?: unknown[]) => Promise<{ rows: Record<string, unknown>[] }> };

/** How many rows a table holds (for "invalid input writes nothing"). */
export async function countRows(client: Queryable, table: string): Promise<number> {
  const { rows } = await client.query(`SELECT count(*)::int AS count FROM ${table}`);
  return rows[0].count as number;
}

/** Row counts of every agent table, to compare before and after a refused call. */
export async function countAgentRows(client: Queryable): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of AGENT_TABLES) counts[table] = await countRows(client, table);
  return counts;
}

export const AGENT_TABLES = [
  'sessions',
  'messages',
  'parts',
  'llm_usage',
  'workflow_definitions',
  'workflow_runs',
  'workflow_steps',
  'workflow_logs',
  'runner_pool',
];

/** A SHA-256-shaped content hash. */
export function contentHash(seed: string): string {
  return createHash('sha256').update(seed).digest('hex');
}

/** build → (test, lint) → deploy: a diamond. */
export const DIAMOND_PLAN = {
  steps: [
    { id: 'build', name: 'Build', type: 'shell', run: ['npm', 'run', 'build'] },
    { id: 'test', name: 'Test', type: 'shell', run: ['npm', 'test'], depends_on: ['build'] },
    { id: 'lint', name: 'Lint', type: 'shell', run: ['npm', 'run', 'lint'], depends_on: ['build'] },
    { id: 'deploy', name: 'Deploy', type: 'agent', prompt: 'Deploy it', depends_on: ['test', 'lint'] },
  ],
};

/**
 * Runs `work` while every INSERT into parts fails (a trigger installed by the superuser on this
 * test's own database): proves that what was written before the parts is rolled back.
 */
export async function withFailingPartsInsert(admin: Queryable, work: () => Promise<void>): Promise<void> {
  await admin.query(`CREATE FUNCTION refuse_parts() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'parts refused by the test'; END $$`);
  await admin.query('CREATE TRIGGER refuse_parts BEFORE INSERT ON parts FOR EACH ROW EXECUTE FUNCTION refuse_parts()');
  try {
    await work();
  } finally {
    await admin.query('DROP TRIGGER refuse_parts ON parts');
    await admin.query('DROP FUNCTION refuse_parts()');
  }
}
