/** The rows of a `manager.query` result, whether PostgreSQL answered a SELECT or a write with RETURNING. */
export function rowsOf(result: unknown): Record<string, unknown>[] {
  // TypeORM returns [rows, affectedCount] for UPDATE/DELETE ... RETURNING and plain rows otherwise.
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as Record<string, unknown>[];
  }
  return result as Record<string, unknown>[];
}
