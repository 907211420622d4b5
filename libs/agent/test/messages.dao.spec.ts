import { ConflictError, NotFoundError, ValidationError } from '@plue/db';
import { insertUser, useTestDatabase } from '@plue/testing';
import type { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { LlmUsageDao, MessagesDao, PartsDao, SessionsDao, type MessageStatus } from '../src';
import { countAgentRows, openDataSource, withFailingPartsInsert } from './fixtures';

describe('MessagesDao and PartsDao', () => {
  const database = useTestDatabase();
  let dataSource: DataSource;
  let messages: MessagesDao;
  let parts: PartsDao;
  let sessions: SessionsDao;
  let admin: Client;
  let userId: number;
  let sessionId: number;

  beforeAll(async () => {
    dataSource = await openDataSource(database());
    messages = new MessagesDao(dataSource);
    parts = new PartsDao(dataSource);
    sessions = new SessionsDao(dataSource);
    admin = await database().connect();
    userId = (await insertUser(admin)).id as number;
    sessionId = (await sessions.create({ userId })).id;
  });
  afterAll(() => dataSource?.destroy());

  it('appends a message with its parts of every type, ordered by sort_order', async () => {
    const message = await messages.append({
      sessionId,
      role: 'assistant',
      model: 'claude',
      parts: [
        { type: 'reasoning', content: { text: 'The user wants a listing.' } },
        { type: 'tool_call', toolName: 'bash', toolCallId: 'call-1', content: { input: { argv: ['ls'] } } },
        { type: 'tool_result', toolCallId: 'call-1', content: { output: 'README.md' } },
        { type: 'file', content: { mimeType: 'text/markdown', path: 'README.md' } },
        { type: 'text', content: { text: 'There is a README.' } },
      ],
    });
    expect(message).toMatchObject({
      sessionId,
      role: 'assistant',
      status: 'pending',
      completedAt: null,
      costUsd: '0.000000',
    });
    const stored = await messages.getById(message.id);
    expect(stored?.parts?.map((part) => [part.sortOrder, part.type, part.toolName, part.toolCallId])).toEqual([
      [0, 'reasoning', null, null],
      [1, 'tool_call', 'bash', 'call-1'],
      [2, 'tool_result', null, 'call-1'],
      [3, 'file', null, null],
      [4, 'text', null, null],
    ]);
  });

  it('marks the session as recently active when a message is appended', async () => {
    await admin.query(`UPDATE sessions SET updated_at = now() - interval '1 day' WHERE id = $1`, [sessionId]);
    const before = await sessions.getForUser(sessionId, userId);
    await messages.append({ sessionId, role: 'user', status: 'completed', parts: [] });
    const after = await sessions.getForUser(sessionId, userId);
    expect(after.updatedAt.getTime() - before.updatedAt.getTime()).toBeGreaterThan(3_600_000);
  });

  it('writes neither message nor parts when the parts cannot be stored', async () => {
    const before = await countAgentRows(admin);
    await withFailingPartsInsert(admin, async () => {
      await expect(
        messages.append({ sessionId, role: 'user', parts: [{ type: 'text', content: { text: 'lost' } }] }),
      ).rejects.toThrow(/parts refused by the test/);
    });
    expect(await countAgentRows(admin)).toEqual(before);
  });

  it('validates each part type before SQL and writes nothing', async () => {
    const before = await countAgentRows(admin);
    const refused = [
      { type: 'tool_call', toolCallId: 'call-2', content: {} }, // a tool call names its tool
      { type: 'tool_result', content: { output: 1 } }, // a result names the call it answers
      { type: 'text', content: { body: 'no text field' } },
      { type: 'file', content: { mimeType: 'image/png' } }, // neither url nor path
      { type: 'image', content: {} },
      { type: 'text', content: { text: 'NUL \u0000 inside' } },
    ];
    for (const part of refused) {
      await expect(messages.append({ sessionId, role: 'user', parts: [part as never] })).rejects.toThrow(
        ValidationError,
      );
    }
    await expect(messages.append({ sessionId, role: 'robot' as never })).rejects.toThrow(ValidationError);
    await expect(messages.append({ sessionId, role: 'user', status: 'failed' as never })).rejects.toThrow(
      ValidationError,
    );
    expect(await countAgentRows(admin)).toEqual(before);
  });

  it('reports an unknown session as not found and writes nothing', async () => {
    const before = await countAgentRows(admin);
    await expect(messages.append({ sessionId: 424_242, role: 'user' })).rejects.toThrow(NotFoundError);
    expect(await countAgentRows(admin)).toEqual(before);
  });

  it('moves status pending → streaming → completed and sets completed_at on finishing', async () => {
    const message = await messages.append({ sessionId, role: 'assistant' });
    const streaming = await messages.updateStatus(message.id, 'streaming');
    expect(streaming).toMatchObject({ status: 'streaming', completedAt: null });
    const completed = await messages.updateStatus(message.id, 'completed');
    expect(completed.status).toBe('completed');
    expect(completed.completedAt).toBeInstanceOf(Date);
  });

  it('refuses invalid status transitions', async () => {
    const refusals: [MessageStatus[], MessageStatus][] = [
      [[], 'completed'], // pending cannot complete without streaming
      [[], 'pending'],
      [['streaming'], 'pending'],
      [['streaming'], 'streaming'],
      [['streaming', 'completed'], 'failed'],
      [['failed'], 'streaming'],
      [['aborted'], 'completed'],
    ];
    for (const [path, refused] of refusals) {
      const message = await messages.append({ sessionId, role: 'assistant' });
      for (const step of path) await messages.updateStatus(message.id, step);
      const error = await messages.updateStatus(message.id, refused).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ConflictError);
      expect((await messages.getById(message.id))?.status).toBe(path[path.length - 1] ?? 'pending');
    }
    await expect(messages.updateStatus(777_777, 'streaming')).rejects.toThrow(NotFoundError);
  });

  it('records the error of a failed message', async () => {
    const message = await messages.append({ sessionId, role: 'assistant' });
    const failed = await messages.updateStatus(message.id, 'failed', { error: 'provider timed out' });
    expect(failed).toMatchObject({ status: 'failed', error: 'provider timed out' });
    expect(failed.completedAt).toBeInstanceOf(Date);
  });

  it('adds token counters and cost atomically, in exact decimals', async () => {
    const message = await messages.append({ sessionId, role: 'assistant' });
    const writers = await Promise.all([1, 2, 3].map(() => openDataSource(database(), { poolSize: 3 })));
    try {
      await Promise.all(
        writers.flatMap((writer) =>
          Array.from({ length: 10 }, () =>
            new MessagesDao(writer).addUsage(message.id, {
              inputTokens: 3,
              outputTokens: 2,
              reasoningTokens: 1,
              costUsd: '0.000001',
            }),
          ),
        ),
      );
    } finally {
      await Promise.all(writers.map((writer) => writer.destroy()));
    }
    const updated = await messages.addUsage(message.id, { cacheReadTokens: 5, cacheWriteTokens: 4, costUsd: 0.1 });
    expect(updated).toMatchObject({
      inputTokens: 90,
      outputTokens: 60,
      reasoningTokens: 30,
      cacheReadTokens: 5,
      cacheWriteTokens: 4,
      costUsd: '0.100030',
    });
    await expect(messages.addUsage(message.id, { inputTokens: -1 })).rejects.toThrow(ValidationError);
    await expect(messages.addUsage(message.id, { costUsd: '0.0000001' })).rejects.toThrow(ValidationError);
    await expect(messages.addUsage(message.id, {})).rejects.toThrow(ValidationError);
  });

  it("lists a session's messages in the order written, with their parts, page by page", async () => {
    const session = await sessions.create({ userId });
    const written = await dataSource.transaction(async (tx) => {
      const ids = [];
      for (let i = 0; i < 5; i += 1) {
        const message = await messages.append(
          {
            sessionId: session.id,
            role: i % 2 ? 'assistant' : 'user',
            parts: [{ type: 'text', content: { text: `m${i}` } }],
          },
          tx,
        );
        ids.push(message.id);
      }
      return ids;
    });
    const first = await messages.listForSession(session.id, { limit: 3 });
    const second = await messages.listForSession(session.id, { limit: 3, after: first.nextCursor ?? undefined });
    expect([...first.items, ...second.items].map((message) => message.id)).toEqual(written);
    expect(second.nextCursor).toBeNull();
    expect(first.items.map((message) => message.parts?.[0].content.text)).toEqual(['m0', 'm1', 'm2']);
  });

  it('appends parts to an unfinished message after its last part, and refuses a finished one', async () => {
    const message = await messages.append({
      sessionId,
      role: 'assistant',
      parts: [{ type: 'text', content: { text: 'a' } }],
    });
    await messages.updateStatus(message.id, 'streaming');
    const added = await parts.append(message.id, [
      { type: 'text', content: { text: 'b' } },
      { type: 'text', content: { text: 'c' } },
    ]);
    expect(added.map((part) => part.sortOrder)).toEqual([1, 2]);
    await messages.updateStatus(message.id, 'completed');
    const before = await countAgentRows(admin);
    await expect(parts.append(message.id, [{ type: 'text', content: { text: 'late' } }])).rejects.toThrow(
      ConflictError,
    );
    await expect(parts.append(999_999, [{ type: 'text', content: { text: 'x' } }])).rejects.toThrow(NotFoundError);
    expect(await countAgentRows(admin)).toEqual(before);
  });
});

describe('LlmUsageDao', () => {
  const database = useTestDatabase();
  let dataSource: DataSource;
  let usage: LlmUsageDao;
  let admin: Client;

  beforeAll(async () => {
    dataSource = await openDataSource(database());
    usage = new LlmUsageDao(dataSource);
    admin = await database().connect();
  });
  afterAll(() => dataSource?.destroy());

  it('records calls and sums them per user over a half-open period', async () => {
    const user = (await insertUser(admin)).id as number;
    const other = (await insertUser(admin)).id as number;
    await usage.record({
      userId: user,
      model: 'claude',
      provider: 'anthropic',
      inputTokens: 100,
      outputTokens: 10,
      costUsd: '0.25',
    });
    await usage.record({
      userId: user,
      model: 'claude',
      provider: 'anthropic',
      inputTokens: 50,
      outputTokens: 5,
      costUsd: 0.125,
    });
    await usage.record({ userId: other, model: 'claude', provider: 'anthropic', inputTokens: 999, costUsd: '9' });
    const old = await usage.record({ userId: user, model: 'gpt', provider: 'openai', inputTokens: 7, costUsd: '1' });
    await admin.query(`UPDATE llm_usage SET created_at = now() - interval '40 days' WHERE id = $1`, [old.id]);

    const now = Date.now();
    const totals = await usage.sumForUser(user, { from: new Date(now - 30 * 86_400_000), to: new Date(now + 60_000) });
    expect(totals).toEqual({ calls: 2, inputTokens: 150, outputTokens: 15, costUsd: '0.375000' });
    const empty = await usage.sumForUser(user, { from: new Date(now + 60_000), to: new Date(now + 120_000) });
    expect(empty).toEqual({ calls: 0, inputTokens: 0, outputTokens: 0, costUsd: '0.000000' });
  });

  it('refuses bad input before SQL and writes nothing', async () => {
    const before = await countAgentRows(admin);
    await expect(usage.record({ model: '', provider: 'anthropic' })).rejects.toThrow(ValidationError);
    await expect(usage.record({ model: 'm', provider: 'p', outputTokens: 1.5 })).rejects.toThrow(ValidationError);
    await expect(usage.record({ model: 'm', provider: 'p', costUsd: -1 })).rejects.toThrow(ValidationError);
    await expect(usage.sumForUser(1, { from: new Date(2), to: new Date(1) })).rejects.toThrow(ValidationError);
    expect(await countAgentRows(admin)).toEqual(before);
  });
});
