import { jetstreamManager } from '@nats-io/jetstream';
import { EVENT_HEADERS, GitUserContentReassigned, UserDeleted, type EventPayload } from '@plue/contracts';
import { publishThroughOutbox, redeliverLast } from '@plue/messaging/testing';
import { continueTrace, currentTraceparent, runInTrace, type ReadinessReport } from '@plue/service-kit';
import { insertRepository, insertUser, unique } from '@plue/testing';
import { createHash } from 'node:crypto';
import { eventually } from './git-service-process';
import { useGitService } from './service-under-test';

// DESIGN §4 flow 6 as git-service sees it: plue.auth.user.deleted (published here the way auth-service
// publishes it) hands the user's git content to the ghost, then plue.git.user_content.reassigned.

const git = useGitService({ LOG_LEVEL: 'debug' });

/** Publishes `user.deleted` the way auth-service does (aggregate: the user). */
function publishUserDeleted(payload: EventPayload<'plue.auth.user.deleted'>, traceparent?: string): Promise<void> {
  const { database, nats } = git();
  const event = { subject: UserDeleted.subject, aggregateId: payload.userId, payload, traceparent };
  return publishThroughOutbox(database.url, nats, 'auth', [event]);
}

const sha = () => createHash('sha1').update(unique('commit')).digest('hex');

async function rows(sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  const { admin } = git();
  return (await admin.query(sql, params)).rows;
}

/** The confirmations for `userId` that JetStream holds, with their trace header. */
async function storedConfirmations(userId: number): Promise<{ payload: unknown; traceparent?: string }[]> {
  const { nats: connection } = git();
  const jsm = await jetstreamManager(connection);
  const info = await jsm.streams.info('PLUE_GIT');
  const found = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq += 1) {
    const message = await jsm.streams.getMessage('PLUE_GIT', { seq }).catch(() => null);
    if (message?.subject !== GitUserContentReassigned.subject) continue;
    const payload = message.json<{ userId: number }>();
    if (payload.userId === userId) found.push({ payload, traceparent: message.header.get(EVENT_HEADERS.traceparent) });
  }
  return found;
}

async function consumerDuplicates(): Promise<number> {
  const { healthPort } = git();
  const report = (await (await fetch(`http://127.0.0.1:${healthPort}/health/ready`)).json()) as ReadinessReport;
  const consumers = report.checks.messaging.consumers as { subject: string; duplicates: number }[];
  return consumers.find((consumer) => consumer.subject === UserDeleted.subject)!.duplicates;
}

it("hands a deleted user's repositories, pushes and statuses to the ghost, clears allowlists, and confirms once", async () => {
  const { admin, nats: connection } = git();
  const ghost = await insertUser(admin, { username: 'ghost', prohibit_login: true });
  const leaving = await insertUser(admin);
  const [ghostId, userId] = [ghost.id as number, leaving.id as number];
  await insertRepository(admin, { user_id: ghostId, name: 'notes' });
  const notes = await insertRepository(admin, { user_id: userId, name: 'Notes' });
  const solo = await insertRepository(admin, { user_id: userId, name: 'solo' });
  const elsewhere = await insertRepository(admin);
  const [pushed] = await rows(
    'INSERT INTO branches (repo_id, name, commit_id, pusher_id) VALUES ($1, $2, $3, $4) RETURNING id, updated_at::text',
    [elsewhere.id, 'feature', sha(), userId],
  );
  await admin.query(
    `INSERT INTO branches (repo_id, name, commit_id, is_deleted, deleted_at, deleted_by_id)
     VALUES ($1, 'old', $2, true, now(), $3)`,
    [elsewhere.id, sha(), userId],
  );
  const [status] = await rows(
    `INSERT INTO commit_statuses (repo_id, commit_sha, state, creator_id) VALUES ($1, $2, 'success', $3)
     RETURNING id, updated_at::text`,
    [elsewhere.id, sha(), userId],
  );
  const [rule] = await rows(
    `INSERT INTO protected_branches (repo_id, rule_name, merge_allowlist_user_ids) VALUES ($1, 'main', $2) RETURNING id`,
    [elsewhere.id, [userId, elsewhere.user_id]],
  );
  // The ghost as a collaborator of a repository it is about to own: an owner is no collaborator.
  await admin.query("INSERT INTO collaborators (repo_id, user_id, permission) VALUES ($1, $2, 'read')", [
    solo.id,
    ghostId,
  ]);
  // The user's own rows stay for now: deleting the user row cascades them.
  await admin.query('INSERT INTO stars (user_id, repo_id) VALUES ($1, $2)', [userId, elsewhere.id]);
  const trace = continueTrace();

  await publishUserDeleted(
    { userId, username: String(leaving.username), ghostUserId: ghostId },
    runInTrace(trace, currentTraceparent),
  );

  const [confirmation] = await eventually(async () => {
    const stored = await storedConfirmations(userId);
    return stored.length === 1 ? stored : undefined;
  });
  expect(confirmation.payload).toEqual({ userId, ghostUserId: ghostId });
  expect(confirmation.traceparent).toMatch(new RegExp(`^00-${trace.traceId}-`));

  expect(
    await rows('SELECT id::int, user_id::int AS owner, name FROM repositories WHERE id = ANY($1) ORDER BY id', [
      [notes.id, solo.id],
    ]),
  ).toEqual([
    { id: notes.id, owner: ghostId, name: 'Notes-1' },
    { id: solo.id, owner: ghostId, name: 'solo' },
  ]);
  expect(
    await rows(
      'SELECT name, pusher_id::int AS pusher, deleted_by_id::int AS deleter FROM branches WHERE repo_id = $1 ORDER BY name',
      [elsewhere.id],
    ),
  ).toEqual([
    { name: 'feature', pusher: ghostId, deleter: null },
    { name: 'old', pusher: null, deleter: ghostId },
  ]);
  expect(await rows('SELECT creator_id::int AS creator FROM commit_statuses WHERE id = $1', [status.id])).toEqual([
    { creator: ghostId },
  ]);
  expect(
    await rows('SELECT merge_allowlist_user_ids::int[] AS ids FROM protected_branches WHERE id = $1', [rule.id]),
  ).toEqual([{ ids: [elsewhere.user_id] }]);
  expect(await rows('SELECT 1 FROM collaborators WHERE repo_id = $1', [solo.id])).toEqual([]);
  // A hand-over is bookkeeping: the branch and the status were not "updated".
  expect(await rows('SELECT updated_at::text FROM branches WHERE id = $1', [pushed.id])).toEqual([
    { updated_at: pushed.updated_at },
  ]);
  expect(await rows('SELECT updated_at::text FROM commit_statuses WHERE id = $1', [status.id])).toEqual([
    { updated_at: status.updated_at },
  ]);
  // Nothing in git's tables blocks deleting the user now; the star goes with the row.
  await admin.query('DELETE FROM users WHERE id = $1', [userId]);
  expect(await rows('SELECT 1 FROM stars WHERE user_id = $1', [userId])).toEqual([]);

  // The same event delivered again (a new message id, so the stream keeps it): the inbox drops it.
  const duplicatesBefore = await consumerDuplicates();
  await redeliverLast(connection, 'PLUE_AUTH', UserDeleted.subject);
  await eventually(async () => ((await consumerDuplicates()) > duplicatesBefore ? true : undefined));
  expect(await storedConfirmations(userId)).toHaveLength(1);
  expect(await rows('SELECT count(*)::int AS n FROM git.dead_letters')).toEqual([{ n: 0 }]);
});

it('confirms again, moving nothing, when a deletion is asked for again after the hand-over', async () => {
  const { admin } = git();
  const ghost = (await rows("SELECT id::int FROM users WHERE username = 'ghost'"))[0] as { id: number };
  const leaving = await insertUser(admin);
  const userId = leaving.id as number;
  const repository = await insertRepository(admin, { user_id: userId });
  const event = { userId, username: String(leaving.username), ghostUserId: ghost.id };

  await publishUserDeleted(event);
  await eventually(async () => ((await storedConfirmations(userId)).length === 1 ? true : undefined));
  const [afterFirst] = await rows(
    'SELECT user_id::int AS owner, name, updated_at::text FROM repositories WHERE id = $1',
    [repository.id],
  );
  expect(afterFirst).toMatchObject({ owner: ghost.id, name: repository.name });

  await publishUserDeleted(event);
  await eventually(async () => ((await storedConfirmations(userId)).length === 2 ? true : undefined));
  expect(
    await rows('SELECT user_id::int AS owner, name, updated_at::text FROM repositories WHERE id = $1', [repository.id]),
  ).toEqual([afterFirst]);
});
