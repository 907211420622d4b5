import { MissingReferenceError, ValidationError } from '@plue/db';
import { insertRepository, insertWorkflowDefinition, insertWorkflowRun, useTestDatabase } from '@plue/testing';
import type { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { WorkflowLogsDao } from '../src';
import { countRows, openDataSource } from './fixtures';

describe('WorkflowLogsDao', () => {
  const database = useTestDatabase();
  let dataSource: DataSource;
  let logs: WorkflowLogsDao;
  let admin: Client;

  beforeAll(async () => {
    dataSource = await openDataSource(database());
    logs = new WorkflowLogsDao(dataSource);
    admin = await database().connect();
  });
  afterAll(() => dataSource?.destroy());

  async function newStepId(): Promise<number> {
    const repo = await insertRepository(admin);
    const run = await insertWorkflowRun(admin, await insertWorkflowDefinition(admin, repo));
    const { rows } = await admin.query(
      `INSERT INTO workflow_steps (run_id, step_key, name, type, status) VALUES ($1, 'build', 'Build', 'shell', 'running') RETURNING id`,
      [run.id],
    );
    return Number(rows[0].id);
  }

  it('numbers the lines of a batch consecutively per step, from 0, in the order given', async () => {
    const [step, other] = [await newStepId(), await newStepId()];
    expect(await logs.append(step, [{ content: 'one' }, { content: 'two', logType: 'stderr' }])).toEqual({
      count: 2,
      firstSequence: 0,
      lastSequence: 1,
    });
    expect(await logs.append(other, [{ content: 'elsewhere' }])).toEqual({
      count: 1,
      firstSequence: 0,
      lastSequence: 0,
    });
    expect(await logs.append(step, [{ content: 'three', logType: 'system' }])).toEqual({
      count: 1,
      firstSequence: 2,
      lastSequence: 2,
    });
    const lines = await logs.listAfter(step);
    expect(lines.map((line) => [line.sequence, line.logType, line.content])).toEqual([
      [0, 'stdout', 'one'],
      [1, 'stderr', 'two'],
      [2, 'system', 'three'],
    ]);
  });

  it('keeps sequences unique and gapless with concurrent appenders (8 writers × 50 batches × 20 lines)', async () => {
    const step = await newStepId();
    const writers = await Promise.all(Array.from({ length: 8 }, () => openDataSource(database(), { poolSize: 1 })));
    try {
      await Promise.all(
        writers.map(async (writer, w) => {
          const dao = new WorkflowLogsDao(writer);
          for (let batch = 0; batch < 50; batch += 1) {
            const result = await dao.append(
              step,
              Array.from({ length: 20 }, (_, line) => ({ content: `w${w} b${batch} l${line}` })),
            );
            // A batch is never interleaved with another writer's lines.
            expect(result.lastSequence - result.firstSequence).toBe(19);
          }
        }),
      );
    } finally {
      await Promise.all(writers.map((writer) => writer.destroy()));
    }
    const { rows } = await admin.query(
      'SELECT count(*)::int AS lines, count(DISTINCT sequence)::int AS distinct, min(sequence)::int AS first, max(sequence)::int AS last FROM workflow_logs WHERE step_id = $1',
      [step],
    );
    expect(rows[0]).toEqual({ lines: 8000, distinct: 8000, first: 0, last: 7999 });
    const { rows: counter } = await admin.query(
      'SELECT next_log_sequence::int AS next FROM workflow_steps WHERE id = $1',
      [step],
    );
    expect(counter[0].next).toBe(8000);
  });

  it('gives a failed batch its numbers back', async () => {
    const step = await newStepId();
    await logs.append(step, [{ content: 'before' }]);
    await expect(
      dataSource.transaction(async (tx) => {
        await logs.append(step, [{ content: 'rolled back' }, { content: 'too' }], tx);
        throw new Error('the caller gives up');
      }),
    ).rejects.toThrow('the caller gives up');
    expect(await logs.append(step, [{ content: 'after' }])).toMatchObject({ firstSequence: 1 });
  });

  it('tails a log after a sequence, with a limit', async () => {
    const step = await newStepId();
    await logs.append(
      step,
      Array.from({ length: 10 }, (_, i) => ({ content: `line ${i}` })),
    );
    expect((await logs.listAfter(step, { afterSequence: 6 })).map((line) => line.sequence)).toEqual([7, 8, 9]);
    expect((await logs.listAfter(step, { afterSequence: 2, limit: 2 })).map((line) => line.content)).toEqual([
      'line 3',
      'line 4',
    ]);
    expect(await logs.listAfter(step, { afterSequence: 9 })).toEqual([]);
  });

  it('refuses bad batches and unknown steps, writing nothing', async () => {
    const step = await newStepId();
    const before = await countRows(admin, 'workflow_logs');
    await expect(logs.append(step, [])).rejects.toThrow(ValidationError);
    await expect(logs.append(step, [{ content: 'x', logType: 'debug' as never }])).rejects.toThrow(ValidationError);
    await expect(logs.append(step, [{ content: 'ok' }, { content: 'x'.repeat(1_048_577) }])).rejects.toThrow(
      ValidationError,
    );
    await expect(logs.append(999_999_999, [{ content: 'orphan' }])).rejects.toThrow(MissingReferenceError);
    await expect(logs.listAfter(step, { afterSequence: -2 })).rejects.toThrow(ValidationError);
    expect(await countRows(admin, 'workflow_logs')).toBe(before);
  });
});
