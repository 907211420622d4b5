import type { EntityMetadata, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { Tx } from './transaction';

/**
 * Turns a raw row (from `RETURNING *` or a hand-written SELECT, snake_case columns) into an
 * entity, with the driver's conversions and the column transformers (bigint → number) applied as
 * TypeORM applies them to its own queries. Columns marked `select: false` (hashes of secrets) stay
 * out, as they do from find().
 */
export function hydrate<T extends ObjectLiteral>(tx: Tx, target: EntityTarget<T>, row: Record<string, unknown>): T {
  const metadata = tx.connection.getMetadata(target);
  return hydrateRow(metadata, columnPlan(tx, metadata), row);
}

/**
 * Runs one parameterized statement and returns its rows, whatever the command (`manager.query`
 * returns `[rows, count]` for UPDATE and DELETE but bare rows otherwise).
 */
export async function queryRows<Row = Record<string, unknown>>(tx: Tx, sql: string, params: unknown[]): Promise<Row[]> {
  if (tx.queryRunner) return (await tx.queryRunner.query(sql, params, true)).records as Row[];
  const runner = tx.connection.createQueryRunner();
  try {
    return (await runner.query(sql, params, true)).records as Row[];
  } finally {
    await runner.release();
  }
}

/** The rows of one parameterized statement, as entities. */
export async function queryEntities<T extends ObjectLiteral>(
  tx: Tx,
  target: EntityTarget<T>,
  sql: string,
  params: unknown[],
): Promise<T[]> {
  const rows = await queryRows(tx, sql, params);
  const metadata = tx.connection.getMetadata(target);
  const plan = columnPlan(tx, metadata);
  return rows.map((row) => hydrateRow<T>(metadata, plan, row));
}

interface ColumnStep {
  column: ColumnMetadata;
  convert: (raw: unknown) => unknown;
}

// Column types node-postgres already returns as TypeORM would hand them to an entity, so only the
// column's transformer (if any) applies. Hydration is on every read path's hot loop: asking the
// driver per value costs more than the query's own client work (bench/RESULTS.md).
const RETURNED_AS_IS = new Set([
  'text',
  'varchar',
  'character varying',
  'integer',
  'int',
  'smallint',
  'bigint',
  'boolean',
  'timestamptz',
  'timestamp with time zone',
  'jsonb',
  'uuid',
  'inet',
  'numeric',
  'tsvector',
]);

const plans = new WeakMap<EntityMetadata, ColumnStep[]>();

function columnPlan(tx: Tx, metadata: EntityMetadata): ColumnStep[] {
  let plan = plans.get(metadata);
  if (!plan) {
    const driver = tx.connection.driver;
    plan = metadata.columns
      .filter((column) => column.isSelect)
      .map((column) => {
        const transformer = Array.isArray(column.transformer) ? undefined : column.transformer;
        const asIs =
          typeof column.type === 'string' && RETURNED_AS_IS.has(column.type) && !Array.isArray(column.transformer);
        const convert = !asIs
          ? (raw: unknown) => driver.prepareHydratedValue(raw, column)
          : transformer
            ? (raw: unknown) => transformer.from(raw)
            : (raw: unknown) => raw;
        return { column, convert };
      });
    plans.set(metadata, plan);
  }
  return plan;
}

function hydrateRow<T>(metadata: EntityMetadata, plan: ColumnStep[], row: Record<string, unknown>): T {
  const entity = metadata.create() as T & ObjectLiteral;
  for (const { column, convert } of plan) {
    if (column.databaseName in row) column.setEntityValue(entity, convert(row[column.databaseName]));
  }
  return entity;
}
