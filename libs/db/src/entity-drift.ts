import type { DataSource } from 'typeorm';

/**
 * What TypeORM's schema builder would change to make the database fit the entities — it changes
 * nothing: `log()` only plans — each statement named by entity and column. Empty when they agree.
 *
 * TypeORM reads the expression of a GENERATED column from its own `typeorm_metadata` table, which
 * Plue's schema does not have (db/ is the only DDL); a temporary table filled with PostgreSQL's
 * rendering of each generated column stands in for it. A temporary table lives in one session,
 * hence a DataSource with a pool of exactly one connection.
 */
export async function entityDrift(dataSource: DataSource): Promise<string[]> {
  if (dataSource.driver.options.poolSize !== 1) throw new Error('entityDrift needs a DataSource with poolSize 1');
  await dataSource.query(
    `CREATE TEMPORARY TABLE IF NOT EXISTS typeorm_metadata
       (type text NOT NULL, database text, schema text, "table" text, name text, value text)`,
  );
  await dataSource.query('TRUNCATE typeorm_metadata');
  await dataSource.query(
    `INSERT INTO typeorm_metadata (type, database, schema, "table", name, value)
     SELECT 'GENERATED_COLUMN', table_catalog, table_schema, table_name, column_name, generation_expression
       FROM information_schema.columns WHERE is_generated = 'ALWAYS'`,
  );
  const { upQueries } = await dataSource.driver.createSchemaBuilder().log();
  return upQueries.map(({ query }) => `${describeTarget(dataSource, query)}: entities want \`${query.trim()}\``);
}

function describeTarget(dataSource: DataSource, query: string): string {
  const table = query.match(/(?:TABLE|ON)\s+(?:"(\w+)"\.)?"(\w+)"/i);
  if (!table) return 'schema';
  const [, schema = 'public', tableName] = table;
  const metadata = dataSource.entityMetadatas.find(
    (entity) => entity.tableName === tableName && (entity.schema ?? 'public') === schema,
  );
  const entity = metadata ? `entity ${metadata.name} (${schema}.${tableName})` : `table ${schema}.${tableName}`;
  const column = query.match(/(?:COLUMN|ADD)\s+"(\w+)"/i)?.[1];
  if (!column) return entity;
  const property = metadata?.columns.find((candidate) => candidate.databaseName === column)?.propertyName;
  return `${entity}, column ${column}${property && property !== column ? ` (property ${property})` : ''}`;
}
