import { createDataSource } from '@plue/db';
import { useTestDatabase } from '@plue/testing';
import type { DataSource } from 'typeorm';
import { AUTH_ENTITIES } from '../src';
import { AUTH_TABLES } from './fixtures';

const database = useTestDatabase();

async function dataSourceWith(entities: (new () => unknown)[]): Promise<DataSource> {
  return createDataSource(
    { url: database().url, poolSize: 2, statementTimeoutMs: 0, applicationName: 'test' },
    entities,
  ).initialize();
}

describe('auth entities against the migrated schema', () => {
  let authOnly: DataSource;
  beforeAll(async () => {
    authOnly = await dataSourceWith(AUTH_ENTITIES);
  });
  afterAll(() => authOnly.destroy());

  it("map every auth table, with the tables' own names", () => {
    expect(AUTH_ENTITIES.map((entity) => authOnly.getMetadata(entity).tableName).sort()).toEqual(
      [...AUTH_TABLES].sort(),
    );
  });
});
