import {
  AppendMessageRpc,
  CreateSessionRpc,
  GetMessageRpc,
  ListMessagesRpc,
  ListPartsRpc,
  UpdateMessageStatusRpc,
} from '@plue/contracts';
import { insertUser } from '@plue/testing';
import { failure, fieldsOf } from './rpc-failure';
import { useAgentService } from './service-under-test';

const agent = useAgentService();

async function newSession(): Promise<{ sessionId: number; updatedAt: string }> {
  const { rpc, admin } = agent();
  const userId = (await insertUser(admin)).id as number;
  const { session } = await rpc.call(CreateSessionRpc, { userId });
  return { sessionId: session.id, updatedAt: session.updatedAt };
}

it('appends messages with their parts, streams one to completion, and lists them with their parts', async () => {
  const { rpc, admin } = agent();
  const { sessionId, updatedAt } = await newSession();

  const question = await rpc.call(AppendMessageRpc, {
    sessionId,
    role: 'user',
    status: 'completed',
    parts: [
      { type: 'text', content: { text: 'Run the tests' } },
      { type: 'file', content: { mimeType: 'text/plain', path: 'logs/ci.txt' } },
    ],
  });
  expect(question).toMatchObject({ role: 'user', status: 'completed', completedAt: expect.any(String) });
  expect(question.parts.map((part) => [part.type, part.sortOrder])).toEqual([
    ['text', 0],
    ['file', 1],
  ]);
  const { rows } = await admin.query('SELECT updated_at > $2 AS touched FROM sessions WHERE id = $1', [
    sessionId,
    updatedAt,
  ]);
  expect(rows).toEqual([{ touched: true }]);

  const answer = await rpc.call(AppendMessageRpc, {
    sessionId,
    role: 'assistant',
    model: 'claude-sonnet',
    parts: [
      { type: 'tool_call', toolName: 'shell', toolCallId: 'call-1', content: { argv: ['npm', 'test'] }, sortOrder: 5 },
      { type: 'reasoning', content: { text: 'The tests first.' }, sortOrder: 2 },
    ],
  });
  expect(answer).toMatchObject({ status: 'pending', model: 'claude-sonnet', completedAt: null });
  expect(answer.parts.map((part) => [part.type, part.sortOrder, part.toolName, part.toolCallId])).toEqual([
    ['reasoning', 2, null, null],
    ['tool_call', 5, 'shell', 'call-1'],
  ]);

  expect(await rpc.call(UpdateMessageStatusRpc, { messageId: answer.id, status: 'streaming' })).toMatchObject({
    status: 'streaming',
    completedAt: null,
  });
  const completed = await rpc.call(UpdateMessageStatusRpc, { messageId: answer.id, status: 'completed' });
  expect(completed).toMatchObject({ status: 'completed', completedAt: expect.any(String) });
  expect(completed.parts).toEqual(answer.parts);
  expect(await rpc.call(GetMessageRpc, { messageId: answer.id })).toEqual(completed);

  const third = await rpc.call(AppendMessageRpc, { sessionId, role: 'system' });
  const first = await rpc.call(ListMessagesRpc, { sessionId, limit: 2 });
  const second = await rpc.call(ListMessagesRpc, { sessionId, limit: 2, after: first.nextCursor! });
  expect(first.items).toEqual([question, completed]);
  expect(second).toEqual({ items: [third], nextCursor: null });

  const parts = await rpc.call(ListPartsRpc, { messageIds: [answer.id, question.id, third.id] });
  expect(parts.items).toEqual([...question.parts, ...answer.parts]);
});

it('refuses to change a finished message (conflict) and answers unknown ids with not_found', async () => {
  const { rpc, count } = agent();
  const { sessionId } = await newSession();
  const message = await rpc.call(AppendMessageRpc, { sessionId, role: 'assistant', status: 'streaming' });
  const failed = await rpc.call(UpdateMessageStatusRpc, { messageId: message.id, status: 'failed', error: 'timeout' });
  expect(failed).toMatchObject({ status: 'failed', error: 'timeout', completedAt: expect.any(String) });

  const again = await failure(rpc.call(UpdateMessageStatusRpc, { messageId: message.id, status: 'completed' }));
  expect(again).toMatchObject({
    code: 'conflict',
    details: { field: 'status', from: 'failed', to: 'completed' },
  });
  expect(await rpc.call(GetMessageRpc, { messageId: message.id })).toEqual(failed);

  const messagesBefore = await count('messages');
  const missing = 987_654_321;
  const errors = await Promise.all([
    failure(rpc.call(AppendMessageRpc, { sessionId: missing, role: 'user' })),
    failure(rpc.call(GetMessageRpc, { messageId: missing })),
    failure(rpc.call(UpdateMessageStatusRpc, { messageId: missing, status: 'streaming' })),
  ]);
  expect(errors).toEqual([
    expect.objectContaining({ code: 'not_found', details: { field: 'sessionId' } }),
    expect.objectContaining({ code: 'not_found', details: { field: 'messageId' } }),
    expect.objectContaining({ code: 'not_found', details: { field: 'id' } }),
  ]);
  expect(JSON.stringify(errors.map((error) => (error as Error).message))).not.toMatch(/\bat .+\.js:\d+/);
  expect(await count('messages')).toBe(messagesBefore);
  expect((await rpc.call(ListMessagesRpc, { sessionId: missing })).items).toEqual([]);
});

it('answers invalid messages and parts with validation_failed naming the field, and writes nothing', async () => {
  const { rpc, counts } = agent();
  const { sessionId } = await newSession();
  const tables = ['messages', 'parts'];
  const before = await counts(tables);

  const badShape = await failure(
    rpc.callUnchecked(AppendMessageRpc, {
      sessionId,
      role: 'robot',
      parts: [{ type: 'file', content: { mimeType: 'image/png' } }, { type: 'video' }],
    }),
  );
  expect(badShape).toMatchObject({ code: 'validation_failed' });
  expect(fieldsOf(badShape)).toEqual(['role', 'parts.0.content', 'parts.1.type']);

  const duplicateOrder = await failure(
    rpc.call(AppendMessageRpc, {
      sessionId,
      role: 'assistant',
      parts: [
        { type: 'text', content: { text: 'a' }, sortOrder: 1 },
        { type: 'text', content: { text: 'b' }, sortOrder: 1 },
      ],
    }),
  );
  expect(duplicateOrder).toMatchObject({
    code: 'validation_failed',
    details: { issues: [{ field: 'parts.1.sortOrder' }] },
  });

  const others = await Promise.all([
    failure(rpc.callUnchecked(UpdateMessageStatusRpc, { messageId: 1, status: 'done' })),
    failure(rpc.callUnchecked(GetMessageRpc, { messageId: 1.5 })),
    failure(rpc.callUnchecked(ListMessagesRpc, { sessionId, limit: 0 })),
    failure(rpc.call(ListMessagesRpc, { sessionId, after: 'bm90IGEgY3Vyc29y' })),
    failure(rpc.callUnchecked(ListPartsRpc, { messageIds: [] })),
  ]);
  for (const error of others) expect(error).toMatchObject({ code: 'validation_failed' });
  expect(others.map(fieldsOf)).toEqual([['status'], ['messageId'], ['limit'], ['after'], ['messageIds']]);
  expect(await counts(tables)).toEqual(before);
});
