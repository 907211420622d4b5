import type { PoolClient } from 'pg';
import { z } from 'zod';
import type { Database } from '../database';
import { SYSTEM_SCHEMA_FILTER } from './list-tables.tool';

const session = z.object({
  pid: z.number().int(),
  role: z.string().nullable(),
  application_name: z.string().nullable(),
  state: z.string().nullable(),
  running_seconds: z.number().nullable().describe('Since the current (or last) statement started'),
  transaction_seconds: z.number().nullable(),
  wait_event: z.string().nullable(),
  query: z.string().nullable().describe('First 2000 characters'),
});

export const dbStatsOutput = {
  server: z.object({
    version: z.string().describe('version()'),
    version_num: z.number().int().describe('server_version_num, e.g. 160004'),
  }),
  database: z.object({ name: z.string(), bytes: z.number(), size: z.string() }),
  connections: z.object({
    total: z.number().int().describe('Client connections to the whole server'),
    max: z.number().int().describe('max_connections'),
    reserved_for_superusers: z.number().int(),
    by_state: z
      .record(z.string(), z.number().int())
      .describe('active, idle, idle in transaction, idle in transaction (aborted), ...'),
    this_database: z.number().int(),
  }),
  activity: z.object({
    cache_hit_ratio: z.number().nullable().describe('Share of block reads served from shared buffers (0..1)'),
    commits: z.number(),
    rollbacks: z.number(),
    deadlocks: z.number(),
    conflicts: z.number(),
    temp_files: z.number(),
    temp_bytes: z.number(),
    stats_reset: z.string().nullable(),
  }),
  largest_tables: z
    .array(
      z.object({
        table: z.string(),
        total_bytes: z.number(),
        size: z.string(),
        table_bytes: z.number(),
        index_bytes: z.number(),
        estimated_rows: z.number().nullable(),
      }),
    )
    .describe('The 10 largest, indexes and TOAST included'),
  longest_running_query: session
    .nullable()
    .describe('The statement of this database running longest right now (other than this call), or null'),
  oldest_transaction: session
    .nullable()
    .describe('The transaction of this database open longest (idle in transaction included), or null'),
  migrations: z
    .object({
      applied_version: z.string().nullable().describe('Latest version applied (or loaded as baseline)'),
      last_applied_at: z.string().nullable(),
      failed_versions: z.array(z.string()),
      running_versions: z.array(z.string()),
    })
    .nullable()
    .describe('From the migration runner tracking table; null when it is missing or unreadable'),
  notes: z.array(z.string()).describe('What could not be read, and why'),
};

type DbStatsOutput = z.infer<z.ZodObject<typeof dbStatsOutput>>;

export class DbStatsTool {
  constructor(private readonly database: Database) {}

  run({ signal }: { signal?: AbortSignal }): Promise<DbStatsOutput> {
    return this.database.withReadOnly({ signal }, async ({ client }) => {
      const notes: string[] = [];
      const server = await client.query(
        `SELECT version() AS version, current_setting('server_version_num')::int AS version_num,
                current_database() AS name, pg_database_size(current_database())::float8 AS bytes,
                pg_size_pretty(pg_database_size(current_database())) AS size,
                current_setting('max_connections')::int AS max,
                current_setting('superuser_reserved_connections')::int AS reserved_for_superusers,
                current_user AS role, pg_has_role(current_user, 'pg_read_all_stats', 'USAGE') AS reads_all_stats`,
      );
      const s = server.rows[0];
      if (!s.reads_all_stats) {
        notes.push(
          `${s.role} is not a member of pg_read_all_stats: other roles' sessions show no state or query (migration 0006 grants it to plue_readonly)`,
        );
      }
      const states = await client.query<{ state: string; count: number; here: number }>(
        `SELECT coalesce(state, 'unknown') AS state, count(*)::int AS count,
                count(*) FILTER (WHERE datname = current_database())::int AS here
           FROM pg_stat_activity WHERE backend_type = 'client backend' GROUP BY 1 ORDER BY 1`,
      );
      const activity = await client.query(
        `SELECT CASE WHEN blks_hit + blks_read > 0 THEN round(blks_hit::numeric / (blks_hit + blks_read), 4)::float8 END
                  AS cache_hit_ratio,
                xact_commit::float8 AS commits, xact_rollback::float8 AS rollbacks, deadlocks::float8 AS deadlocks,
                conflicts::float8 AS conflicts, temp_files::float8 AS temp_files, temp_bytes::float8 AS temp_bytes,
                stats_reset::text AS stats_reset
           FROM pg_stat_database WHERE datname = current_database()`,
      );
      const largest = await client.query(
        `SELECT c.oid::regclass::text AS table, pg_total_relation_size(c.oid)::float8 AS total_bytes,
                pg_size_pretty(pg_total_relation_size(c.oid)) AS size, pg_relation_size(c.oid)::float8 AS table_bytes,
                pg_indexes_size(c.oid)::float8 AS index_bytes,
                CASE WHEN c.reltuples >= 0 THEN c.reltuples::float8 ELSE coalesce(s.n_live_tup, 0)::float8 END
                  AS estimated_rows
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           LEFT JOIN pg_stat_all_tables s ON s.relid = c.oid
          WHERE c.relkind IN ('r', 'p', 'm') AND ${SYSTEM_SCHEMA_FILTER('n.nspname')}
          ORDER BY pg_total_relation_size(c.oid) DESC, 1 LIMIT 10`,
      );
      const sessions = (order: string, filter: string) =>
        client.query(
          `SELECT pid, usename::text AS role, application_name, state,
                  extract(epoch FROM clock_timestamp() - query_start)::float8 AS running_seconds,
                  extract(epoch FROM clock_timestamp() - xact_start)::float8 AS transaction_seconds,
                  CASE WHEN wait_event IS NOT NULL THEN wait_event_type || ':' || wait_event END AS wait_event,
                  left(query, 2000) AS query
             FROM pg_stat_activity
            WHERE backend_type = 'client backend' AND datname = current_database() AND pid <> pg_backend_pid()
              AND ${filter}
            ORDER BY ${order} LIMIT 1`,
        );
      const longest = await sessions('query_start', "state = 'active' AND query_start IS NOT NULL");
      const oldest = await sessions('xact_start', 'xact_start IS NOT NULL');
      return {
        server: { version: s.version, version_num: s.version_num },
        database: { name: s.name, bytes: s.bytes, size: s.size },
        connections: {
          total: states.rows.reduce((sum, row) => sum + row.count, 0),
          max: s.max,
          reserved_for_superusers: s.reserved_for_superusers,
          by_state: Object.fromEntries(states.rows.map((row) => [row.state, row.count])),
          this_database: states.rows.reduce((sum, row) => sum + row.here, 0),
        },
        activity: activity.rows[0],
        largest_tables: largest.rows,
        longest_running_query: longest.rows[0] ?? null,
        oldest_transaction: oldest.rows[0] ?? null,
        migrations: await this.migrations(client, notes),
        notes,
      };
    });
  }

  private async migrations(client: PoolClient, notes: string[]): Promise<DbStatsOutput['migrations']> {
    const { rows } = await client.query<{ exists: boolean; readable: boolean }>(
      `SELECT to_regclass('public.schema_migrations') IS NOT NULL AS exists,
              coalesce(has_table_privilege(to_regclass('public.schema_migrations'), 'SELECT'), false) AS readable`,
    );
    if (!rows[0].exists) {
      notes.push('public.schema_migrations does not exist: the database was not set up by the migration runner');
      return null;
    }
    if (!rows[0].readable) {
      notes.push('the role may not read public.schema_migrations (migration 0006 grants it to plue_readonly)');
      return null;
    }
    const tracking = await client.query(
      `SELECT max(version) FILTER (WHERE status IN ('applied', 'baseline')) AS applied_version,
              to_char(max(applied_at) FILTER (WHERE status IN ('applied', 'baseline')) AT TIME ZONE 'UTC',
                      'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS last_applied_at,
              coalesce(array_agg(version ORDER BY version) FILTER (WHERE status = 'failed'), '{}') AS failed_versions,
              coalesce(array_agg(version ORDER BY version) FILTER (WHERE status = 'running'), '{}') AS running_versions
         FROM public.schema_migrations`,
    );
    return tracking.rows[0];
  }
}
