import type { DataSource } from 'typeorm';
import { createDataSource, entityDrift } from '@plue/db';
import { useTestDatabase } from '@plue/testing';
import { ALL_ENTITIES } from '../src/entities-check';
import { spawnMigrator } from './helpers';

const database = useTestDatabase();
let dataSource: DataSource;

beforeAll(async () => {
  dataSource = createDataSource(
    { url: database().url, poolSize: 1, statementTimeoutMs: 0, applicationName: 'entities-check-test' },
    ALL_ENTITIES,
  );
  await dataSource.initialize();
});
afterAll(() => dataSource.destroy());

describe('the entities check', () => {
  it('finds nothing to change between the entities and the migrated schema', async () => {
    expect(await entityDrift(dataSource)).toEqual([]);
  });

  it("names the entity and column when an entity's column type changes", async () => {
    const bio = dataSource.getMetadata('User').findColumnWithPropertyName('bio')!;
    const original = bio.type;
    bio.type = 'integer';
    try {
      const differences = await entityDrift(dataSource);
      expect(differences).toContainEqual(
        expect.stringMatching(/^entity User \(public\.users\), column bio: entities want/),
      );
      // TypeORM also drops and re-creates the column's CHECK: still named by entity.
      for (const difference of differences) expect(difference).toMatch(/^entity User \(public\.users\)/);
    } finally {
      bio.type = original;
    }
  });

  it('makes `verify` exit 5 naming the column when the database no longer fits an entity', async () => {
    const superuser = await database().connect();
    await superuser.query('ALTER TABLE labels ALTER COLUMN description TYPE varchar(200)');
    const run = await spawnMigrator(['verify'], { DATABASE_URL: database().url });
    expect(run.code).toBe(5);
    expect(run.stdout).toContain('✗ the TypeORM entities agree with the database at DATABASE_URL');
    expect(run.stdout).toMatch(/entity Label \(public\.labels\), column description: entities want/);
  });
});
