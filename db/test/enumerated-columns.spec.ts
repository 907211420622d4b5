import type { Client } from 'pg';
import { useTestDatabase } from '@plue/testing';

// Columns whose values come from a fixed set: each must be guarded by a CHECK constraint, so no
// code path (or psql session) can store a state the services do not know.
const ENUMERATED_COLUMNS: [table: string, column: string][] = [
  ['access_tokens', 'scopes'],
  ['ssh_keys', 'key_type'],
  ['collaborators', 'permission'],
  ['commit_statuses', 'state'],
  ['watches', 'mode'],
  ['issues', 'state'],
  ['pull_requests', 'status'],
  ['pull_requests', 'merge_style'],
  ['milestones', 'state'],
  ['reactions', 'target_type'],
  ['reactions', 'content'],
  ['reviews', 'state'],
  ['review_comments', 'side'],
  ['issue_events', 'event_type'],
  ['mentions', 'target_type'],
  ['sessions', 'status'],
  ['messages', 'role'],
  ['messages', 'status'],
  ['parts', 'type'],
  ['workflow_runs', 'trigger_type'],
  ['workflow_runs', 'status'],
  ['workflow_steps', 'type'],
  ['workflow_steps', 'status'],
  ['workflow_logs', 'log_type'],
  ['runner_pool', 'status'],
];

const database = useTestDatabase();
let db: Client;
beforeAll(async () => {
  db = await database().connect();
});

describe('enumerated columns', () => {
  it.each(ENUMERATED_COLUMNS)('%s.%s is guarded by a CHECK constraint', async (table, column) => {
    const { rows } = await db.query<{ name: string }>(
      `SELECT c.conname AS name
         FROM pg_constraint c
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
        WHERE c.contype = 'c' AND c.conrelid = to_regclass($1) AND a.attname = $2`,
      [`public.${table}`, column],
    );
    expect(rows.map((row) => row.name)).toContain(`${table}_${column}_check`);
  });
});
