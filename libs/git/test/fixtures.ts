import { randomBytes } from 'node:crypto';
import type { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource } from '@plue/db';
import { AGENT_ENTITIES } from '@plue/agent';
import { AUTH_ENTITIES } from '@plue/auth';
import { COLLABORATION_ENTITIES } from '@plue/collaboration';
import { GIT_ENTITIES } from '@plue/git';
import type { TestDatabase } from '@plue/testing';

export const ALL_ENTITIES = [...AUTH_ENTITIES, ...GIT_ENTITIES, ...COLLABORATION_ENTITIES, ...AGENT_ENTITIES];

/** A DataSource for `url` built, as every service's is, with all four domains' entities. */
export function dataSourceFor(url: string, poolSize = 4): DataSource {
  return createDataSource({ url, poolSize, statementTimeoutMs: 10_000, applicationName: 'git-tests' }, ALL_ENTITIES);
}

/**
 * The test file's git-service DataSource: it connects as plue_git, so every DAO call proves that
 * the service's grants suffice. Opened in beforeAll (after the database exists), closed in afterAll.
 */
export function useGitDataSource(database: () => TestDatabase): () => DataSource {
  let dataSource: DataSource | undefined;
  beforeAll(async () => {
    dataSource = dataSourceFor(database().urlFor('plue_git'));
    await dataSource.initialize();
  });
  afterAll(async () => {
    await dataSource?.destroy();
  });
  return () => {
    if (!dataSource) throw new Error('the git DataSource exists only inside tests');
    return dataSource;
  };
}

/** The tables git-service owns (DESIGN.md §3). */
export const GIT_TABLES = [
  'repositories',
  'collaborators',
  'branches',
  'protected_branches',
  'renamed_branches',
  'commit_statuses',
  'stars',
  'watches',
];

/** Rows in a git table (all, or those of one repository): "nothing was written" checks count them. */
export async function countRows(client: Client, table: string, repoId?: number): Promise<number> {
  if (!GIT_TABLES.includes(table)) throw new Error(`not a git table: ${table}`);
  const { rows } =
    repoId === undefined
      ? await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)
      : await client.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM ${table} WHERE ${table === 'repositories' ? 'id' : 'repo_id'} = $1`,
          [repoId],
        );
  return rows[0].n;
}

/** A random lowercase hex commit id (SHA-1 length). */
export function sha(): string {
  return randomBytes(20).toString('hex');
}
