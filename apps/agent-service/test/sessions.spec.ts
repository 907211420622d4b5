import {
  ArchiveSessionRpc,
  CreateSessionRpc,
  GetSessionRpc,
  ListSessionsRpc,
  SetSessionStatusRpc,
  UnarchiveSessionRpc,
  UpdateSessionTitleRpc,
} from '@plue/contracts';
import { insertRepository, insertUser } from '@plue/testing';
import { failure, fieldsOf } from './rpc-failure';
import { useAgentService } from './service-under-test';

const agent = useAgentService();

it('creates a session with its first message, then lists, renames, archives and sets the status of it', async () => {
  const { rpc, admin } = agent();
  const repository = await insertRepository(admin);
  const userId = repository.user_id as number;
  const repoId = repository.id as number;

  const created = await rpc.call(CreateSessionRpc, {
    userId,
    repoId,
    directory: '/work/app',
    title: 'Fix the build',
    model: 'claude-sonnet',
    firstMessage: { role: 'user', status: 'completed', parts: [{ type: 'text', content: { text: 'Why is CI red?' } }] },
  });
  expect(created.session).toMatchObject({
    userId,
    repoId,
    parentId: null,
    directory: '/work/app',
    title: 'Fix the build',
    status: 'idle',
    tokenCount: 0,
    archivedAt: null,
  });
  expect(created.firstMessage).toMatchObject({
    sessionId: created.session.id,
    role: 'user',
    status: 'completed',
    completedAt: expect.any(String),
    costUsd: '0.000000',
    parts: [{ type: 'text', sortOrder: 0, content: { text: 'Why is CI red?' } }],
  });
  const sessionId = created.session.id;
  const child = await rpc.call(CreateSessionRpc, { userId, parentId: sessionId, title: 'sub-agent' });
  expect(child).toMatchObject({ session: { parentId: sessionId }, firstMessage: null });
  const older = await rpc.call(CreateSessionRpc, { userId, title: 'older' });
  const newest = await rpc.call(CreateSessionRpc, { userId, title: 'newest' });

  expect(await rpc.call(GetSessionRpc, { userId, sessionId })).toMatchObject({ id: sessionId, title: 'Fix the build' });

  // Most recently active first, top level only, one page at a time.
  const first = await rpc.call(ListSessionsRpc, { userId, limit: 2 });
  const second = await rpc.call(ListSessionsRpc, { userId, limit: 2, after: first.nextCursor! });
  expect([...first.items, ...second.items].map((session) => session.id)).toEqual([
    newest.session.id,
    older.session.id,
    sessionId,
  ]);
  expect(second.nextCursor).toBeNull();
  const children = await rpc.call(ListSessionsRpc, { userId, parentId: sessionId });
  expect(children.items.map((session) => session.id)).toEqual([child.session.id]);
  expect((await rpc.call(ListSessionsRpc, { userId, repoId })).items.map((session) => session.id)).toEqual([sessionId]);

  expect(await rpc.call(UpdateSessionTitleRpc, { userId, sessionId, title: 'Fixed' })).toMatchObject({
    title: 'Fixed',
  });
  expect(await rpc.call(UpdateSessionTitleRpc, { userId, sessionId, title: null })).toMatchObject({ title: null });

  const archived = await rpc.call(ArchiveSessionRpc, { userId, sessionId });
  expect(archived.archivedAt).toEqual(expect.any(String));
  expect(await rpc.call(ArchiveSessionRpc, { userId, sessionId })).toMatchObject({ archivedAt: archived.archivedAt });
  expect((await rpc.call(ListSessionsRpc, { userId })).items.map((session) => session.id)).not.toContain(sessionId);
  const withArchived = await rpc.call(ListSessionsRpc, { userId, includeArchived: true });
  expect(withArchived.items.map((session) => session.id)).toContain(sessionId);
  expect(await rpc.call(UnarchiveSessionRpc, { userId, sessionId })).toMatchObject({ archivedAt: null });

  expect(await rpc.call(SetSessionStatusRpc, { userId, sessionId, status: 'running' })).toMatchObject({
    status: 'running',
  });
  const running = await rpc.call(ListSessionsRpc, { userId, status: 'running' });
  expect(running.items.map((session) => session.id)).toEqual([sessionId]);
});

it("never shows or changes another user's session: it is not_found", async () => {
  const { rpc, admin, count } = agent();
  const owner = (await insertUser(admin)).id as number;
  const stranger = (await insertUser(admin)).id as number;
  const { session } = await rpc.call(CreateSessionRpc, { userId: owner, title: 'private' });
  const sessionsBefore = await count('sessions');

  const errors = await Promise.all([
    failure(rpc.call(GetSessionRpc, { userId: stranger, sessionId: session.id })),
    failure(rpc.call(UpdateSessionTitleRpc, { userId: stranger, sessionId: session.id, title: 'mine now' })),
    failure(rpc.call(ArchiveSessionRpc, { userId: stranger, sessionId: session.id })),
    failure(rpc.call(UnarchiveSessionRpc, { userId: stranger, sessionId: session.id })),
    failure(rpc.call(SetSessionStatusRpc, { userId: stranger, sessionId: session.id, status: 'aborted' })),
    failure(rpc.call(CreateSessionRpc, { userId: stranger, parentId: session.id })),
  ]);
  for (const error of errors) expect(error).toMatchObject({ code: 'not_found', details: { field: 'id' } });
  expect(JSON.stringify(errors.map((error) => (error as Error).message))).not.toMatch(/\bat .+\.js:\d+/);

  expect((await rpc.call(ListSessionsRpc, { userId: stranger, includeArchived: true })).items).toEqual([]);
  expect(await rpc.call(GetSessionRpc, { userId: owner, sessionId: session.id })).toMatchObject({
    title: 'private',
    status: 'idle',
    archivedAt: null,
  });
  expect(await count('sessions')).toBe(sessionsBefore);
});

it('answers invalid requests with validation_failed naming the field, and writes nothing', async () => {
  const { rpc, admin, counts } = agent();
  const userId = (await insertUser(admin)).id as number;
  const tables = ['sessions', 'messages', 'parts'];
  const before = await counts(tables);

  const badCreate = await failure(
    rpc.callUnchecked(CreateSessionRpc, {
      userId: 0,
      title: 'x'.repeat(256),
      firstMessage: { role: 'assistant', parts: [{ type: 'tool_call', toolCallId: 'call-1' }] },
    }),
  );
  expect(badCreate).toMatchObject({ code: 'validation_failed' });
  expect(fieldsOf(badCreate)).toEqual(['userId', 'title', 'firstMessage.parts.0.toolName']);

  // Rules the service checks beyond the schema: jsonb cannot hold NUL, sort orders are distinct.
  const nul = await failure(
    rpc.call(CreateSessionRpc, {
      userId,
      firstMessage: { role: 'user', parts: [{ type: 'text', content: { text: 'a\u0000b' } }] },
    }),
  );
  expect(nul).toMatchObject({ code: 'validation_failed' });
  expect(fieldsOf(nul)).toEqual(['firstMessage.parts.0.content']);

  const others = await Promise.all([
    failure(rpc.callUnchecked(GetSessionRpc, { userId, sessionId: 'one' })),
    failure(rpc.callUnchecked(ListSessionsRpc, { userId, limit: 101, status: 'sleeping' })),
    failure(rpc.call(ListSessionsRpc, { userId, after: 'not-a-cursor' })),
    failure(rpc.callUnchecked(UpdateSessionTitleRpc, { userId, sessionId: 1 })),
    failure(rpc.callUnchecked(SetSessionStatusRpc, { userId, sessionId: 1, status: 'done' })),
    failure(rpc.callUnchecked(ArchiveSessionRpc, { userId, sessionId: 1, at: 'now' })),
  ]);
  for (const error of others) expect(error).toMatchObject({ code: 'validation_failed' });
  expect(others.map(fieldsOf)).toEqual([
    ['sessionId'],
    ['status', 'limit'],
    ['after'],
    ['title'],
    ['status'],
    ['(input)'],
  ]);
  expect(await counts(tables)).toEqual(before);
});

it('answers a session for an unknown user or repository with missing_reference, and writes nothing', async () => {
  const { rpc, admin, count } = agent();
  const userId = (await insertUser(admin)).id as number;
  const before = await count('sessions');

  const noUser = await failure(rpc.call(CreateSessionRpc, { userId: 987_654_321 }));
  const noRepository = await failure(rpc.call(CreateSessionRpc, { userId, repoId: 987_654_321 }));

  expect(noUser).toMatchObject({ code: 'missing_reference', details: { constraint: 'sessions_user_id_fkey' } });
  expect(noRepository).toMatchObject({ code: 'missing_reference', details: { constraint: 'sessions_repo_id_fkey' } });
  expect(await count('sessions')).toBe(before);
});
