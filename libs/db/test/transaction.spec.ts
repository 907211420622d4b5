import { DataSource, Entity, Column } from 'typeorm';
import { useTestDatabase, insertRepository } from '@plue/testing';
import {
  BigIntColumn,
  ConflictError,
  IdColumn,
  InvalidValueError,
  MissingReferenceError,
  createDataSource,
  inTransaction,
} from '@plue/db';

@Entity({ name: 'labels' })
class LabelRow {
  @IdColumn() id!: number;
  @BigIntColumn({ name: 'repo_id' }) repoId!: number;
  @Column({ name: 'name', type: 'text' }) name!: string;
  @Column({ name: 'color', type: 'text' }) color!: string;
}

const database = useTestDatabase();
let dataSource: DataSource;
let repoId: number;

beforeAll(async () => {
  const superuser = await database().connect();
  repoId = (await insertRepository(superuser)).id as number;
  dataSource = createDataSource(
    {
      url: database().urlFor('plue_collaboration'),
      poolSize: 4,
      statementTimeoutMs: 5000,
      applicationName: 'db-core-test',
    },
    [LabelRow],
  );
  await dataSource.initialize();
});
afterAll(() => dataSource.destroy());

const labelCount = async () => Number((await dataSource.query('SELECT count(*) AS n FROM labels'))[0].n);

describe('inTransaction', () => {
  it('commits the work and reads ids back as numbers', async () => {
    const saved = await inTransaction(dataSource, (tx) => tx.save(LabelRow, { repoId, name: 'bug', color: '#d73a4a' }));
    expect(typeof saved.id).toBe('number');
    expect(await dataSource.manager.findOneByOrFail(LabelRow, { id: saved.id })).toMatchObject({ repoId, name: 'bug' });
  });

  it("joins the caller's transaction, so one failure rolls back every write", async () => {
    const before = await labelCount();
    await expect(
      inTransaction(dataSource, async (tx) => {
        await inTransaction(tx, (inner) => inner.save(LabelRow, { repoId, name: 'first', color: '#000000' }));
        await inTransaction(tx, (inner) => inner.save(LabelRow, { repoId, name: 'second', color: 'red' }));
      }),
    ).rejects.toBeInstanceOf(InvalidValueError);
    expect(await labelCount()).toBe(before);
  });

  it('names the constraint of a unique violation, a check violation and a missing reference', async () => {
    await expect(
      inTransaction(dataSource, (tx) => tx.save(LabelRow, { repoId, name: 'BUG', color: '#d73a4a' })),
    ).rejects.toMatchObject({
      code: 'conflict',
      details: { constraint: 'labels_repo_id_lower_name_key', sqlstate: '23505' },
    });
    await expect(
      inTransaction(dataSource, (tx) => tx.save(LabelRow, { repoId, name: 'x', color: 'red' })),
    ).rejects.toMatchObject({ code: 'invalid_value', details: { constraint: 'labels_color_check' } });
    const missing = inTransaction(dataSource, (tx) =>
      tx.save(LabelRow, { repoId: 987654321, name: 'x', color: '#000000' }),
    );
    await expect(missing).rejects.toBeInstanceOf(MissingReferenceError);
    await expect(missing).rejects.toMatchObject({ details: { constraint: 'labels_repo_id_fkey' } });
  });

  it('leaves errors that are not the caller’s fault unchanged', async () => {
    const failure = inTransaction(dataSource, (tx) => tx.query('SELECT * FROM no_such_table'));
    await expect(failure).rejects.not.toBeInstanceOf(ConflictError);
    await expect(failure).rejects.toMatchObject({ driverError: { code: '42P01' } });
  });
});
