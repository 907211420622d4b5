import { DataSource, EntityManager } from 'typeorm';
import { toDomainError } from './database-error-mapping';

/** A transaction handle: what every DAO method accepts so a service can group writes atomically. */
export type Tx = EntityManager;

export type IsolationLevel = 'READ COMMITTED' | 'REPEATABLE READ' | 'SERIALIZABLE';

/**
 * Runs `work` inside the caller's transaction when `db` is a handle with one open, otherwise opens
 * (and commits or rolls back) a transaction of its own. Database errors leave as domain errors.
 */
export async function inTransaction<T>(
  db: DataSource | EntityManager,
  work: (tx: Tx) => Promise<T>,
  isolation?: IsolationLevel,
): Promise<T> {
  try {
    if (db instanceof EntityManager && db.queryRunner?.isTransactionActive) return await work(db);
    const source = db instanceof DataSource ? db : db.connection;
    return await (isolation ? source.transaction(isolation, work) : source.transaction(work));
  } catch (error) {
    throw toDomainError(error);
  }
}
