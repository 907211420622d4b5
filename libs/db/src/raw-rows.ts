import type { EntityTarget, ObjectLiteral } from 'typeorm';
import type { Tx } from './transaction';

/**
 * Turns a raw row (from `RETURNING *` or a hand-written SELECT, snake_case columns) into an
 * entity, with the driver's conversions and the column transformers (bigint → number) applied as
 * TypeORM applies them to its own queries. Columns marked `select: false` (hashes of secrets) stay
 * out, as they do from find().
 */
export function hydrate<T extends ObjectLiteral>(tx: Tx, target: EntityTarget<T>, row: Record<string, unknown>): T {
  const metadata = tx.connection.getMetadata(target);
  const entity = metadata.create() as T;
  for (const column of metadata.columns) {
    if (!column.isSelect || !(column.databaseName in row)) continue;
    column.setEntityValue(entity, tx.connection.driver.prepareHydratedValue(row[column.databaseName], column));
  }
  return entity;
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
  return (await queryRows(tx, sql, params)).map((row) => hydrate(tx, target, row));
}
