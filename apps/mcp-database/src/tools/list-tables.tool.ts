import { z } from 'zod';
import type { Database } from '../database';
import { ToolError } from '../tool-error';

export const listTablesInput = {
  schema: z
    .string()
    .min(1)
    .max(63)
    .optional()
    .describe('Only this schema (e.g. public, auth, git, collaboration, agent); default: every schema'),
};

const relationKind = z.enum(['table', 'partitioned table', 'view', 'materialized view', 'foreign table']);

export const listTablesOutput = {
  schema: z.string().nullable().describe('The schema asked for, or null for every schema'),
  tables: z.array(
    z.object({
      schema: z.string(),
      name: z.string(),
      kind: relationKind,
      estimated_rows: z
        .number()
        .nullable()
        .describe('From the planner statistics (or the live-tuple counter before the first ANALYZE); null for views'),
      total_bytes: z.number().describe('Table, indexes and TOAST'),
      size: z.string().describe('total_bytes for people, e.g. "48 kB"'),
      access: z
        .enum(['all columns', 'some columns', 'none'])
        .describe('What the read-only role may SELECT: "some columns" means secret columns are withheld'),
      comment: z.string().nullable(),
    }),
  ),
  count: z.number().int(),
};

type ListTablesOutput = z.infer<z.ZodObject<typeof listTablesOutput>>;

/** Schemas never listed: the catalogs, TOAST and other sessions' temporary schemas. */
export const SYSTEM_SCHEMA_FILTER = (column: string) =>
  `${column} NOT IN ('pg_catalog', 'information_schema') AND ${column} NOT LIKE 'pg\\_toast%' AND ${column} NOT LIKE 'pg\\_temp\\_%'`;

export const RELATION_KIND_SQL = `CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'partitioned table' WHEN 'v' THEN 'view'
  WHEN 'm' THEN 'materialized view' WHEN 'f' THEN 'foreign table' END`;

export class ListTablesTool {
  constructor(private readonly database: Database) {}

  run({ schema, signal }: { schema?: string; signal?: AbortSignal }): Promise<ListTablesOutput> {
    return this.database.withReadOnly({ signal }, async ({ client }) => {
      if (schema !== undefined) {
        const { rows } = await client.query<{ name: string }>(
          `SELECT nspname AS name FROM pg_namespace n WHERE ${SYSTEM_SCHEMA_FILTER('n.nspname')} ORDER BY 1`,
        );
        if (!rows.some((row) => row.name === schema)) {
          throw new ToolError(
            'database',
            `schema "${schema}" does not exist; the schemas are: ${rows.map((row) => row.name).join(', ')}`,
            '3F000',
          );
        }
      }
      const { rows } = await client.query<ListTablesOutput['tables'][number]>(
        `SELECT n.nspname AS schema, c.relname AS name, ${RELATION_KIND_SQL} AS kind,
                CASE WHEN c.relkind IN ('v', 'f') THEN NULL
                     WHEN c.reltuples >= 0 THEN c.reltuples::float8
                     ELSE coalesce(s.n_live_tup, 0)::float8 END AS estimated_rows,
                pg_total_relation_size(c.oid)::float8 AS total_bytes,
                pg_size_pretty(pg_total_relation_size(c.oid)) AS size,
                CASE WHEN has_table_privilege(c.oid, 'SELECT') THEN 'all columns'
                     WHEN has_any_column_privilege(c.oid, 'SELECT') THEN 'some columns'
                     ELSE 'none' END AS access,
                obj_description(c.oid, 'pg_class') AS comment
           FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace
           LEFT JOIN pg_stat_all_tables s ON s.relid = c.oid
          WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND ${SYSTEM_SCHEMA_FILTER('n.nspname')}
            AND ($1::text IS NULL OR n.nspname = $1)
          ORDER BY n.nspname = 'public' DESC, n.nspname, c.relname`,
        [schema ?? null],
      );
      return { schema: schema ?? null, tables: rows, count: rows.length };
    });
  }
}
