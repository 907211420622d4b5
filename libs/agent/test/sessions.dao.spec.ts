import { MissingReferenceError, NotFoundError, ValidationError } from '@plue/db';
import { insertRepository, insertUser, useTestDatabase } from '@plue/testing';
import type { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { SessionsDao } from '../src';
import { countAgentRows, openDataSource, withFailingPartsInsert } from './fixtures';

describe('SessionsDao', () => {
  const database = useTestDatabase();
  let dataSource: DataSource;
  let sessions: SessionsDao;
  let admin: Client;
  let alice: number;
  let bob: number;

  beforeAll(async () => {
    dataSource = await openDataSource(database());
    sessions = new SessionsDao(dataSource);
    admin = await database().connect();
    alice = (await insertUser(admin)).id as number;
    bob = (await insertUser(admin)).id as number;
  });
  afterAll(() => dataSource?.destroy());

  it('creates a session owned by a user, with its first message and parts in the same transaction', async () => {
    const repo = await insertRepository(admin, { user_id: alice });
    const session = await sessions.create({
      userId: alice,
      repoId: repo.id as number,
      title: 'Fix the build',
      model: 'claude',
      directory: '/work/repo',
      firstMessage: {
        role: 'user',
        status: 'completed',
        parts: [{ type: 'text', content: { text: 'The build is red, please fix it' } }],
      },
    });
    expect(session).toMatchObject({
      userId: alice,
      repoId: repo.id,
      title: 'Fix the build',
      status: 'idle',
      tokenCount: 0,
    });
    expect(session.messages).toHaveLength(1);
    expect(session.messages?.[0]).toMatchObject({ sessionId: session.id, role: 'user', status: 'completed' });
    expect(session.messages?.[0].completedAt).toBeInstanceOf(Date);
    expect(session.messages?.[0].parts?.map((part) => part.content)).toEqual([
      { text: 'The build is red, please fix it' },
    ]);
  });

  it('writes nothing when storing the first message fails after the session was inserted', async () => {
    const before = await countAgentRows(admin);
    await withFailingPartsInsert(admin, async () => {
      await expect(
        sessions.create({
          userId: alice,
          title: 'never stored',
          firstMessage: { role: 'user', parts: [{ type: 'text', content: { text: 'hello' } }] },
        }),
      ).rejects.toThrow(/parts refused by the test/);
    });
    expect(await countAgentRows(admin)).toEqual(before);
  });

  it("hides another user's session as not found (not forbidden)", async () => {
    const session = await sessions.create({ userId: alice, title: 'private' });
    await expect(sessions.getForUser(session.id, alice)).resolves.toMatchObject({ id: session.id });
    const error = await sessions.getForUser(session.id, bob).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toBe(`session ${session.id} not found`);
    await expect(sessions.getForUser(987_654_321, bob)).rejects.toThrow(`session 987654321 not found`);
    await expect(sessions.updateTitle(session.id, bob, 'hijacked')).rejects.toThrow(NotFoundError);
    await expect(sessions.archive(session.id, bob)).rejects.toThrow(NotFoundError);
    expect((await sessions.getForUser(session.id, alice)).title).toBe('private');
  });

  it("lists only the caller's sessions, newest activity first, page by page", async () => {
    const carol = (await insertUser(admin)).id as number;
    const dave = (await insertUser(admin)).id as number;
    const created = [];
    for (let i = 0; i < 5; i += 1) created.push(await sessions.create({ userId: carol, title: `carol ${i}` }));
    for (let i = 0; i < 3; i += 1) await sessions.create({ userId: dave, title: `dave ${i}` });

    const first = await sessions.listForUser(carol, { limit: 2 });
    const second = await sessions.listForUser(carol, { limit: 2, after: first.nextCursor ?? undefined });
    const third = await sessions.listForUser(carol, { limit: 2, after: second.nextCursor ?? undefined });
    const listed = [...first.items, ...second.items, ...third.items];
    expect(listed.map((session) => session.title)).toEqual(['carol 4', 'carol 3', 'carol 2', 'carol 1', 'carol 0']);
    expect(listed.every((session) => session.userId === carol)).toBe(true);
    expect(third.nextCursor).toBeNull();

    // Renaming makes a session the most recently active one.
    await sessions.updateTitle(created[0].id, carol, 'carol 0 renamed');
    expect((await sessions.listForUser(carol, { limit: 1 })).items[0].title).toBe('carol 0 renamed');
    expect((await sessions.listForUser(dave)).items.map((session) => session.userId)).toEqual([dave, dave, dave]);
  });

  it('pages correctly through sessions touched in the same instant', async () => {
    const erin = (await insertUser(admin)).id as number;
    const ids = await dataSource.transaction(async (tx) => {
      const made = [];
      for (let i = 0; i < 4; i += 1) made.push((await sessions.create({ userId: erin }, tx)).id);
      return made;
    });
    const seen: number[] = [];
    let after: string | undefined;
    do {
      const page = await sessions.listForUser(erin, { limit: 1, after });
      seen.push(...page.items.map((session) => session.id));
      after = page.nextCursor ?? undefined;
    } while (after);
    expect(seen).toEqual([...ids].reverse());
  });

  it('leaves archived sessions out of listings unless asked, and filters by repository', async () => {
    const frank = (await insertUser(admin)).id as number;
    const repo = await insertRepository(admin, { user_id: frank });
    const kept = await sessions.create({ userId: frank, repoId: repo.id as number });
    const archived = await sessions.create({ userId: frank });
    const firstArchive = await sessions.archive(archived.id, frank);
    const secondArchive = await sessions.archive(archived.id, frank);
    expect(secondArchive.archivedAt).toEqual(firstArchive.archivedAt);

    expect((await sessions.listForUser(frank)).items.map((session) => session.id)).toEqual([kept.id]);
    expect(
      (await sessions.listForUser(frank, { includeArchived: true })).items.map((session) => session.id).sort(),
    ).toEqual([kept.id, archived.id].sort());
    expect(
      (await sessions.listForUser(frank, { repoId: repo.id as number })).items.map((session) => session.id),
    ).toEqual([kept.id]);
    await sessions.unarchive(archived.id, frank);
    expect((await sessions.listForUser(frank)).items).toHaveLength(2);
  });

  it("creates child sessions under the user's own session and lists them by parent", async () => {
    const parent = await sessions.create({ userId: alice, title: 'parent' });
    const child = await sessions.create({ userId: alice, parentId: parent.id, title: 'sub-agent' });
    expect(child.parentId).toBe(parent.id);
    expect((await sessions.listForUser(alice, { parentId: parent.id })).items.map((session) => session.id)).toEqual([
      child.id,
    ]);
    expect((await sessions.listForUser(alice)).items.map((session) => session.id)).not.toContain(child.id);

    const before = await countAgentRows(admin);
    await expect(sessions.create({ userId: bob, parentId: parent.id })).rejects.toThrow(NotFoundError);
    expect(await countAgentRows(admin)).toEqual(before);

    // Sub-agent sessions go with their parent.
    await admin.query('DELETE FROM sessions WHERE id = $1', [parent.id]);
    expect((await admin.query('SELECT 1 FROM sessions WHERE id = $1', [child.id])).rowCount).toBe(0);
  });

  it('adds to token_count atomically under concurrent writers', async () => {
    const session = await sessions.create({ userId: alice });
    const writers = await Promise.all([1, 2, 3, 4].map(() => openDataSource(database(), { poolSize: 3 })));
    try {
      await Promise.all(
        writers.flatMap((writer) =>
          Array.from({ length: 15 }, () => new SessionsDao(writer).addTokenCount(session.id, 7)),
        ),
      );
    } finally {
      await Promise.all(writers.map((writer) => writer.destroy()));
    }
    expect((await sessions.getForUser(session.id, alice)).tokenCount).toBe(4 * 15 * 7);
  });

  it('refuses bad input before SQL and writes nothing', async () => {
    const before = await countAgentRows(admin);
    await expect(sessions.create({ userId: alice, title: 'x'.repeat(256) })).rejects.toThrow(ValidationError);
    await expect(sessions.create({ userId: -1 })).rejects.toThrow(ValidationError);
    await expect(sessions.create({ userId: alice, unknown: true } as never)).rejects.toThrow(ValidationError);
    await expect(sessions.addTokenCount(1, -5)).rejects.toThrow(ValidationError);
    await expect(sessions.listForUser(alice, { after: 'not-a-cursor' })).rejects.toThrow(ValidationError);
    await expect(sessions.listForUser(alice, { limit: 1000 })).rejects.toThrow(ValidationError);
    await expect(
      sessions.create({
        userId: alice,
        firstMessage: {
          role: 'user',
          parts: [
            { type: 'text', content: { text: 'a' } },
            { type: 'text', content: { text: 'b' }, sortOrder: 0 },
          ],
        },
      }),
    ).rejects.toThrow('firstMessage.parts.1.sortOrder: duplicate sort order 0');
    await expect(sessions.create({ userId: 999_999_999 })).rejects.toThrow(MissingReferenceError);
    expect(await countAgentRows(admin)).toEqual(before);
  });
});
