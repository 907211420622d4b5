import { CreateSessionRpc, RecordLlmUsageRpc, SumLlmUsageRpc } from '@plue/contracts';
import { insertUser } from '@plue/testing';
import { failure, fieldsOf } from './rpc-failure';
import { useAgentService } from './service-under-test';

const agent = useAgentService();

const hourAgo = () => new Date(Date.now() - 3_600_000).toISOString();
const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

it("records LLM calls and sums a user's calls, tokens and exact cost over a period", async () => {
  const { rpc, admin } = agent();
  const userId = (await insertUser(admin)).id as number;
  const otherUserId = (await insertUser(admin)).id as number;
  const { session } = await rpc.call(CreateSessionRpc, { userId });

  const recorded = await rpc.call(RecordLlmUsageRpc, {
    userId,
    sessionId: session.id,
    model: 'claude-sonnet',
    provider: 'anthropic',
    inputTokens: 1200,
    outputTokens: 300,
    costUsd: '0.012500',
  });
  expect(recorded).toMatchObject({
    userId,
    sessionId: session.id,
    messageId: null,
    inputTokens: 1200,
    outputTokens: 300,
    costUsd: '0.012500',
  });
  await rpc.call(RecordLlmUsageRpc, { userId, model: 'claude-haiku', provider: 'anthropic', costUsd: 0.0375 });
  await rpc.call(RecordLlmUsageRpc, { userId: otherUserId, model: 'm', provider: 'p', inputTokens: 7, costUsd: 1 });
  // A call from yesterday falls outside the period.
  const old = await rpc.call(RecordLlmUsageRpc, { userId, model: 'm', provider: 'p', inputTokens: 5, costUsd: 2 });
  await admin.query(`UPDATE llm_usage SET created_at = now() - interval '1 day' WHERE id = $1`, [old.id]);

  expect(await rpc.call(SumLlmUsageRpc, { userId, from: hourAgo(), to: inAnHour() })).toEqual({
    calls: 2,
    inputTokens: 1200,
    outputTokens: 300,
    costUsd: '0.050000',
  });
  const nothing = await rpc.call(SumLlmUsageRpc, { userId: 987_654_321, from: hourAgo(), to: inAnHour() });
  expect(nothing).toEqual({ calls: 0, inputTokens: 0, outputTokens: 0, costUsd: '0.000000' });
});

it('answers invalid requests with validation_failed naming the field, and records nothing', async () => {
  const { rpc, admin, count } = agent();
  const userId = (await insertUser(admin)).id as number;
  const before = await count('llm_usage');

  const badRecord = await failure(
    rpc.callUnchecked(RecordLlmUsageRpc, { userId, model: '', provider: 'p', inputTokens: -1, costUsd: '0.1234567' }),
  );
  expect(badRecord).toMatchObject({ code: 'validation_failed' });
  expect(fieldsOf(badRecord)).toEqual(['model', 'inputTokens', 'costUsd']);

  const backwards = await failure(rpc.callUnchecked(SumLlmUsageRpc, { userId, from: inAnHour(), to: hourAgo() }));
  const notTimes = await failure(rpc.callUnchecked(SumLlmUsageRpc, { userId, from: 'yesterday', to: 'today' }));
  expect(backwards).toMatchObject({ code: 'validation_failed' });
  expect(fieldsOf(backwards)).toEqual(['to']);
  expect(fieldsOf(notTimes)).toEqual(['from', 'to']);
  expect(await count('llm_usage')).toBe(before);
});

it('answers usage of an unknown session with missing_reference, and records nothing', async () => {
  const { rpc, admin, count } = agent();
  const userId = (await insertUser(admin)).id as number;
  const before = await count('llm_usage');

  const error = await failure(
    rpc.call(RecordLlmUsageRpc, { userId, sessionId: 987_654_321, model: 'm', provider: 'p' }),
  );

  expect(error).toMatchObject({ code: 'missing_reference', details: { constraint: 'llm_usage_session_id_fkey' } });
  expect(await count('llm_usage')).toBe(before);
});
