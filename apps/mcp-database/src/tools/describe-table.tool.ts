import type { PoolClient } from 'pg';
import { z } from 'zod';
import { closestNames } from '../closest-names';
import type { Database } from '../database';
import { ToolError } from '../tool-error';
import { RELATION_KIND_SQL, SYSTEM_SCHEMA_FILTER } from './list-tables.tool';

export const describeTableInput = {
  table: z
    .string()
    .min(1)
    .max(200)
    .describe('A table or view: name (e.g. issues) or schema.name (e.g. git.outbox); quote mixed-case names'),
};

const constraintColumns = z.array(z.string());

export const describeTableOutput = {
  schema: z.string(),
  name: z.string(),
  kind: z.enum(['table', 'partitioned table', 'view', 'materialized view', 'foreign table']),
  comment: z.string().nullable(),
  owner: z.string(),
  estimated_rows: z.number().nullable(),
  total_bytes: z.number(),
  size: z.string(),
  row_level_security: z.boolean(),
  view_definition: z.string().nullable().describe('The SELECT behind a view or materialized view'),
  columns: z.array(
    z.object({
      name: z.string(),
      type: z.string(),
      nullable: z.boolean(),
      default: z.string().nullable(),
      identity: z.enum(['always', 'by default']).nullable(),
      generated: z.string().nullable().describe('Expression of a stored generated column'),
      comment: z.string().nullable(),
      readable: z.boolean().describe('false for secret columns withheld from the read-only role'),
    }),
  ),
  primary_key: z.object({ name: z.string(), columns: constraintColumns }).nullable(),
  unique_constraints: z.array(z.object({ name: z.string(), columns: constraintColumns, definition: z.string() })),
  check_constraints: z.array(z.object({ name: z.string(), definition: z.string(), validated: z.boolean() })),
  foreign_keys: z
    .array(
      z.object({
        name: z.string(),
        columns: constraintColumns,
        references_table: z.string(),
        references_columns: constraintColumns,
        on_update: z.string(),
        on_delete: z.string(),
        definition: z.string(),
      }),
    )
    .describe('Keys of this table that point at other tables'),
  referenced_by: z
    .array(
      z.object({
        name: z.string(),
        table: z.string(),
        columns: constraintColumns,
        references_columns: constraintColumns,
        on_delete: z.string(),
      }),
    )
    .describe('Keys of other tables that point at this one'),
  indexes: z.array(
    z.object({
      name: z.string(),
      definition: z.string(),
      unique: z.boolean(),
      primary: z.boolean(),
      valid: z.boolean().describe('false while CREATE INDEX CONCURRENTLY is unfinished or after it failed'),
      bytes: z.number(),
    }),
  ),
  triggers: z.array(
    z.object({
      name: z.string(),
      definition: z.string(),
      enabled: z.enum(['origin', 'disabled', 'replica', 'always']),
    }),
  ),
};

type DescribeTableOutput = z.infer<z.ZodObject<typeof describeTableOutput>>;

/** `name`, `schema.name`, with "quoted" parts kept as written and others folded to lower case. */
export function parseQualifiedName(text: string): { schema: string | null; name: string } | null {
  const parts: string[] = [];
  let i = 0;
  const input = text.trim();
  while (i <= input.length) {
    let part = '';
    if (input[i] === '"') {
      i++;
      for (;;) {
        if (i >= input.length) return null;
        if (input[i] === '"') {
          if (input[i + 1] === '"') {
            part += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        part += input[i++];
      }
    } else {
      while (i < input.length && input[i] !== '.') part += input[i++];
      part = part.trim().toLowerCase();
    }
    if (!part) return null;
    parts.push(part);
    if (i >= input.length) break;
    if (input[i] !== '.') return null;
    i++;
  }
  if (parts.length === 1) return { schema: null, name: parts[0] };
  if (parts.length === 2) return { schema: parts[0], name: parts[1] };
  return null;
}

const ACTIONS: Record<string, string> = {
  a: 'no action',
  r: 'restrict',
  c: 'cascade',
  n: 'set null',
  d: 'set default',
};

interface Candidate {
  oid: number;
  schema: string;
  name: string;
  visible: boolean;
  kind: string | null;
}

export class DescribeTableTool {
  constructor(private readonly database: Database) {}

  run({ table, signal }: { table: string; signal?: AbortSignal }): Promise<DescribeTableOutput> {
    return this.database.withReadOnly({ signal }, async ({ client }) => {
      const oid = await this.resolve(client, table);
      return this.describe(client, oid);
    });
  }

  private async resolve(client: PoolClient, text: string): Promise<number> {
    const wanted = parseQualifiedName(text);
    if (!wanted) {
      throw new ToolError(
        'database',
        `"${text}" is not a table name`,
        '42602',
        'give name or schema.name, e.g. issues or git.outbox',
      );
    }
    const { rows } = await client.query<Candidate>(
      `SELECT c.oid::int AS oid, n.nspname AS schema, c.relname AS name, pg_table_is_visible(c.oid) AS visible,
              ${RELATION_KIND_SQL} AS kind
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'i', 'I', 'S', 'c') AND ${SYSTEM_SCHEMA_FILTER('n.nspname')}`,
    );
    const matches = rows.filter(
      (row) => row.name === wanted.name && (wanted.schema === null || row.schema === wanted.schema),
    );
    const tables = matches.filter((row) => row.kind !== null);
    const chosen = tables.find((row) => row.visible) ?? (tables.length === 1 ? tables[0] : undefined);
    if (chosen) return chosen.oid;
    if (tables.length > 1) {
      throw new ToolError(
        'database',
        `"${text}" exists in several schemas: ${tables.map((row) => `${row.schema}.${row.name}`).join(', ')}`,
        '42P09',
        'name the schema, e.g. schema.name',
      );
    }
    if (matches.length > 0) {
      throw new ToolError('database', `"${text}" is an index, sequence or type, not a table or view`, '42809');
    }
    const known = rows.filter((row) => row.kind !== null);
    const label = (row: Candidate) => (row.visible ? row.name : `${row.schema}.${row.name}`);
    const suggestions = closestNames(wanted.name, known, (row) => row.name).map(label);
    throw new ToolError(
      'database',
      `table "${text}" does not exist; the closest existing tables are: ${suggestions.join(', ')}`,
      '42P01',
      'list_tables shows every table',
    );
  }

  private async describe(client: PoolClient, oid: number): Promise<DescribeTableOutput> {
    const relation = await client.query(
      `SELECT n.nspname AS schema, c.relname AS name, ${RELATION_KIND_SQL} AS kind,
              obj_description(c.oid, 'pg_class') AS comment, pg_get_userbyid(c.relowner) AS owner,
              CASE WHEN c.relkind IN ('v', 'f') THEN NULL
                   WHEN c.reltuples >= 0 THEN c.reltuples::float8
                   ELSE coalesce(s.n_live_tup, 0)::float8 END AS estimated_rows,
              pg_total_relation_size(c.oid)::float8 AS total_bytes, pg_size_pretty(pg_total_relation_size(c.oid)) AS size,
              c.relrowsecurity AS row_level_security,
              CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid, true) END AS view_definition
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN pg_stat_all_tables s ON s.relid = c.oid
        WHERE c.oid = $1`,
      [oid],
    );
    const columns = await client.query(
      `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable,
              CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END AS default,
              CASE a.attidentity WHEN 'a' THEN 'always' WHEN 'd' THEN 'by default' END AS identity,
              CASE WHEN a.attgenerated = 's' THEN pg_get_expr(d.adbin, d.adrelid) END AS generated,
              col_description(a.attrelid, a.attnum) AS comment,
              has_column_privilege(a.attrelid, a.attnum, 'SELECT') AS readable
         FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum`,
      [oid],
    );
    const columnNames = (keys: string, relation: string) =>
      `ARRAY(SELECT a.attname::text FROM unnest(${keys}) WITH ORDINALITY k(attnum, i)
               JOIN pg_attribute a ON a.attrelid = ${relation} AND a.attnum = k.attnum ORDER BY k.i)`;
    const constraints = await client.query(
      `SELECT con.conname AS name, con.contype AS type, pg_get_constraintdef(con.oid, true) AS definition,
              con.convalidated AS validated, ${columnNames('con.conkey', 'con.conrelid')} AS columns,
              con.confrelid::regclass::text AS references_table,
              ${columnNames('con.confkey', 'con.confrelid')} AS references_columns,
              con.confupdtype AS on_update, con.confdeltype AS on_delete
         FROM pg_constraint con WHERE con.conrelid = $1 ORDER BY con.conname`,
      [oid],
    );
    const incoming = await client.query(
      `SELECT con.conname AS name, con.conrelid::regclass::text AS table,
              ${columnNames('con.conkey', 'con.conrelid')} AS columns,
              ${columnNames('con.confkey', 'con.confrelid')} AS references_columns, con.confdeltype AS on_delete
         FROM pg_constraint con WHERE con.confrelid = $1 AND con.contype = 'f'
        ORDER BY 2, 1`,
      [oid],
    );
    const indexes = await client.query(
      `SELECT i.relname AS name, pg_get_indexdef(x.indexrelid) AS definition, x.indisunique AS unique,
              x.indisprimary AS primary, x.indisvalid AS valid, pg_relation_size(x.indexrelid)::float8 AS bytes
         FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = $1 ORDER BY i.relname`,
      [oid],
    );
    const triggers = await client.query(
      `SELECT t.tgname AS name, pg_get_triggerdef(t.oid, true) AS definition,
              CASE t.tgenabled WHEN 'O' THEN 'origin' WHEN 'D' THEN 'disabled' WHEN 'R' THEN 'replica' ELSE 'always' END AS enabled
         FROM pg_trigger t WHERE t.tgrelid = $1 AND NOT t.tgisinternal ORDER BY t.tgname`,
      [oid],
    );

    type Constraint = {
      name: string;
      type: string;
      definition: string;
      validated: boolean;
      columns: string[];
      references_table: string | null;
      references_columns: string[];
      on_update: string;
      on_delete: string;
    };
    const all = constraints.rows as Constraint[];
    const primary = all.find((con) => con.type === 'p');
    return {
      ...relation.rows[0],
      columns: columns.rows,
      primary_key: primary ? { name: primary.name, columns: primary.columns } : null,
      unique_constraints: all
        .filter((con) => con.type === 'u')
        .map(({ name, columns: cols, definition }) => ({ name, columns: cols, definition })),
      check_constraints: all
        .filter((con) => con.type === 'c')
        .map(({ name, definition, validated }) => ({ name, definition, validated })),
      foreign_keys: all
        .filter((con) => con.type === 'f')
        .map((con) => ({
          name: con.name,
          columns: con.columns,
          references_table: con.references_table ?? '',
          references_columns: con.references_columns,
          on_update: ACTIONS[con.on_update] ?? con.on_update,
          on_delete: ACTIONS[con.on_delete] ?? con.on_delete,
          definition: con.definition,
        })),
      referenced_by: (incoming.rows as { on_delete: string }[]).map((row) => ({
        ...(row as unknown as DescribeTableOutput['referenced_by'][number]),
        on_delete: ACTIONS[row.on_delete] ?? row.on_delete,
      })),
      indexes: indexes.rows,
      triggers: triggers.rows,
    };
  }
}
