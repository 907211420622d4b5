import type { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { insertRepository, insertUser, unique, type TestDatabase } from '@plue/testing';
import { openDataSource } from './support';

type Row = Record<string, unknown>;

/** A test file's world: a superuser client for setting up other domains' rows, and a DataSource as plue_collaboration. */
export interface World {
  admin: Client;
  db: DataSource;
}

export async function openWorld(database: TestDatabase, poolSize = 4): Promise<World> {
  const admin = await database.connect();
  const db = await openDataSource(database.urlFor('plue_collaboration'), poolSize);
  return { admin, db };
}

export async function user(admin: Client, overrides: Row = {}): Promise<{ id: number; username: string }> {
  const row = await insertUser(admin, overrides);
  return { id: row.id as number, username: row.username as string };
}

export async function repository(admin: Client, overrides: Row = {}): Promise<{ id: number; ownerId: number }> {
  const row = await insertRepository(admin, overrides);
  return { id: row.id as number, ownerId: row.user_id as number };
}

/** Rows in a table (optionally matching a condition), to prove that refused input wrote nothing. */
export async function countRows(admin: Client, table: string, where = 'true', params: unknown[] = []): Promise<number> {
  const { rows } = await admin.query(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, params);
  return rows[0].n as number;
}

/** Counts of every collaboration table, for "nothing was written" assertions. */
export async function collaborationRowCounts(admin: Client): Promise<Record<string, number>> {
  const tables = [
    'issues',
    'pull_requests',
    'comments',
    'labels',
    'issue_labels',
    'issue_assignees',
    'milestones',
    'reactions',
    'reviews',
    'review_comments',
    'issue_events',
    'mentions',
    'issue_dependencies',
    'pinned_issues',
  ];
  const counts: Record<string, number> = {};
  for (const table of tables) counts[table] = await countRows(admin, table);
  return counts;
}

export { unique };
