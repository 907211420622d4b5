import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/**
 * Turns a raw row (snake_case columns, as `manager.query` or RETURNING give it) into an entity,
 * with every column's transformer applied (bigint → number, ...).
 */
export function hydrate<T extends ObjectLiteral>(
  manager: EntityManager,
  target: EntityTarget<T>,
  row: Record<string, unknown>,
): T {
  const metadata = manager.connection.getMetadata(target);
  const entity = metadata.create() as T;
  for (const column of metadata.columns) {
    if (!(column.databaseName in row)) continue;
    column.setEntityValue(entity, manager.connection.driver.prepareHydratedValue(row[column.databaseName], column));
  }
  return entity;
}

/** The rows of a `manager.query` result, whether PostgreSQL answered a SELECT or a write with RETURNING. */
export function rowsOf(result: unknown): Record<string, unknown>[] {
  // TypeORM returns [rows, affectedCount] for UPDATE/DELETE ... RETURNING and plain rows otherwise.
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as Record<string, unknown>[];
  }
  return result as Record<string, unknown>[];
}
