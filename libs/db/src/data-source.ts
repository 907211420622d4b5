import 'reflect-metadata';
import { DataSource, type EntitySchema, type MixedList } from 'typeorm';
import type { DatabaseConfig } from './database-config';

/**
 * A TypeORM DataSource for one service. `synchronize` is always off: the SQL in db/ is the only
 * source of DDL, and `npm run migrate -- verify` checks that entities agree with it.
 */
export function createDataSource(
  config: DatabaseConfig,
  entities: MixedList<string | (new () => unknown) | EntitySchema>,
): DataSource {
  return new DataSource({
    type: 'postgres',
    url: config.url,
    entities,
    synchronize: false,
    migrationsRun: false,
    applicationName: config.applicationName,
    poolSize: config.poolSize,
    extra: { statement_timeout: config.statementTimeoutMs },
  });
}
