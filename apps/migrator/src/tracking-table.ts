import { hostname } from 'node:os';
import type { Client } from 'pg';

export const trackingTable = 'public.schema_migrations';

/**
 * - applied: ran through `up`;
 * - baseline: covered by db/schema.sql, which `up` loaded into an empty database instead of running the file;
 * - running: a no-transaction file in progress (seen by a lock holder, it means a runner died mid-file);
 * - failed: stopped with an error (kept until `repair`, so nothing runs on top of a half-done change).
 */
export type RecordStatus = 'applied' | 'baseline' | 'running' | 'failed';

export interface MigrationRecord {
  version: string;
  name: string;
  checksum: string;
  status: RecordStatus;
  statementsDone: number;
  executionMs: number | null;
  appliedBy: string;
  appliedAt: Date;
  error: string | null;
}

/** Call only while holding the migration lock: CREATE TABLE IF NOT EXISTS is not safe concurrently. */
export async function ensureTrackingTable(client: Client): Promise<void> {
  await client.query(`
    CREATE TABLE IF NOT EXISTS ${trackingTable} (
      version text PRIMARY KEY CHECK (version ~ '^[0-9]{4}$'),
      name text NOT NULL,
      checksum text NOT NULL,
      status text NOT NULL CHECK (status IN ('applied', 'baseline', 'running', 'failed')),
      statements_done integer NOT NULL DEFAULT 0,
      execution_ms integer,
      applied_by text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(),
      error text
    )`);
}

/** The recorded history, oldest version first; empty when the table does not exist yet. */
export async function readRecords(client: Client): Promise<MigrationRecord[]> {
  const { rows } = await client.query<{ exists: boolean }>(
    `SELECT to_regclass('${trackingTable}') IS NOT NULL AS exists`,
  );
  if (!rows[0].exists) return [];
  const result = await client.query<MigrationRecord>(`
    SELECT version, name, checksum, status, statements_done AS "statementsDone", execution_ms AS "executionMs",
           applied_by AS "appliedBy", applied_at AS "appliedAt", error
    FROM ${trackingTable} ORDER BY version`);
  return result.rows;
}

export interface RecordWrite {
  version: string;
  name: string;
  checksum: string;
  status: RecordStatus;
  statementsDone?: number;
  executionMs?: number | null;
  error?: string | null;
}

/** Inserts or replaces the record of a version (a `running` record becomes `applied` or `failed`). */
export async function writeRecord(client: Client, record: RecordWrite): Promise<void> {
  await client.query(
    `INSERT INTO ${trackingTable} (version, name, checksum, status, statements_done, execution_ms, applied_by, error)
     VALUES ($1, $2, $3, $4, $5, $6, current_user || '@' || $7, $8)
     ON CONFLICT (version) DO UPDATE SET
       name = excluded.name, checksum = excluded.checksum, status = excluded.status,
       statements_done = excluded.statements_done, execution_ms = excluded.execution_ms,
       applied_by = excluded.applied_by, applied_at = now(), error = excluded.error`,
    [
      record.version,
      record.name,
      record.checksum,
      record.status,
      record.statementsDone ?? 0,
      record.executionMs ?? null,
      `${hostname()} pid ${process.pid}`,
      record.error ?? null,
    ],
  );
}

export async function recordProgress(client: Client, version: string, statementsDone: number): Promise<void> {
  await client.query(`UPDATE ${trackingTable} SET statements_done = $2 WHERE version = $1`, [version, statementsDone]);
}

/** Deletes a failed or interrupted record; returns whether there was one. */
export async function deleteUnfinishedRecord(client: Client, version: string): Promise<boolean> {
  const { rowCount } = await client.query(
    `DELETE FROM ${trackingTable} WHERE version = $1 AND status IN ('failed', 'running')`,
    [version],
  );
  return rowCount === 1;
}
