import { jetstreamManager } from '@nats-io/jetstream';
import {
  CreateAccessTokenRpc,
  DeleteUserRpc,
  EVENT_HEADERS,
  GetUserRpc,
  UserDeleted,
  type EventPayload,
} from '@plue/contracts';
import { redeliverLast } from '@plue/messaging/testing';
import { continueTrace, RpcCallError, runInTrace, type ReadinessReport } from '@plue/service-kit';
import { insertIssue, insertRepository, insertUser, unique } from '@plue/testing';
import { randomBytes } from 'node:crypto';
import { eventually } from './auth-service-process';
import { HAND_OVER_SUBJECTS, publishHandOver } from './hand-over-events';
import { useAuthService } from './service-under-test';

// DESIGN §4 flow 6 as auth-service sees it: `user.delete` starts a deletion and emits
// plue.auth.user.deleted; the confirmations of git and collaboration (published here the way those
// services publish them) make it delete the row once nothing holds it any more.

const auth = useAuthService();

async function single(sql: string, params: unknown[] = []): Promise<Record<string, unknown>> {
  const { admin } = auth();
  const { rows } = await admin.query(sql, params);
  return rows[0];
}

/** The events of `user.deleted` for `userId` that JetStream holds, oldest first. */
async function storedDeletions(userId: number): Promise<{ payload: unknown; traceparent: string | undefined }[]> {
  const { nats: connection } = auth();
  const jsm = await jetstreamManager(connection);
  const info = await jsm.streams.info('PLUE_AUTH').catch(() => null);
  const found = [];
  for (let seq = info?.state.first_seq ?? 1; info && seq <= info.state.last_seq; seq += 1) {
    const message = await jsm.streams.getMessage('PLUE_AUTH', { seq }).catch(() => null);
    if (!message || message.subject !== UserDeleted.subject) continue;
    const payload = message.json<EventPayload<'plue.auth.user.deleted'>>();
    if (payload.userId === userId) found.push({ payload, traceparent: message.header.get(EVENT_HEADERS.traceparent) });
  }
  return found;
}

/** Inbox rows of the consumer of `subject` for the user: the confirmations auth-service handled. */
async function handledConfirmations(subject: string, userId: number): Promise<number> {
  const row = await single('SELECT count(*)::int AS n FROM auth.inbox WHERE consumer = $1 AND aggregate_id = $2', [
    `auth--${subject.replaceAll('.', '_')}`,
    String(userId),
  ]);
  return row.n as number;
}

/** Events the consumer of `subject` found already in its inbox (readiness report of this instance). */
async function consumerDuplicates(subject: string): Promise<number> {
  const { healthPort } = auth();
  const report = (await (await fetch(`http://127.0.0.1:${healthPort}/health/ready`)).json()) as ReadinessReport;
  const consumers = report.checks.messaging.consumers as { subject: string; duplicates: number }[];
  return consumers.find((consumer) => consumer.subject === subject)!.duplicates;
}

async function exists(userId: number): Promise<boolean> {
  return (await single('SELECT count(*)::int AS n FROM users WHERE id = $1', [userId])).n === 1;
}

it('bars the account at once, removes its credentials, and emits user.deleted with the ghost, in the caller’s trace', async () => {
  const { rpc, admin } = auth();
  const user = await insertUser(admin);
  const userId = user.id as number;
  await rpc.call(CreateAccessTokenRpc, {
    userId,
    name: 'laptop',
    scopes: ['repo:read'],
    expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
  });
  await admin.query(
    "INSERT INTO auth_sessions (session_key, user_id, expires_at) VALUES ($1, $2, now() + interval '1 day')",
    [randomBytes(32).toString('hex'), userId],
  );
  await admin.query('INSERT INTO email_addresses (user_id, email) VALUES ($1, $2)', [userId, `${unique('a')}@x.io`]);
  const trace = continueTrace();

  const reply = await runInTrace(trace, () => rpc.call(DeleteUserRpc, { userId }));

  const ghost = await single("SELECT id::int, prohibit_login FROM users WHERE lower(username) = 'ghost'");
  expect(reply).toEqual({ userId, ghostUserId: ghost.id, status: 'deleting' });
  expect(ghost.prohibit_login).toBe(true);
  expect(await rpc.call(GetUserRpc, { userId })).toMatchObject({ isActive: false, prohibitLogin: true });
  expect(
    await single(
      `SELECT (SELECT count(*) FROM access_tokens WHERE user_id = $1)::int AS tokens,
              (SELECT count(*) FROM auth_sessions WHERE user_id = $1)::int AS sessions,
              (SELECT count(*) FROM email_addresses WHERE user_id = $1)::int AS emails`,
      [userId],
    ),
  ).toEqual({ tokens: 0, sessions: 0, emails: 1 }); // e-mail addresses go with the row, later

  const [stored] = await eventually(async () => {
    const events = await storedDeletions(userId);
    return events.length === 1 ? events : undefined;
  });
  expect(stored.payload).toEqual({ userId, username: user.username, ghostUserId: ghost.id });
  expect(stored.traceparent).toMatch(new RegExp(`^00-${trace.traceId}-`));

  // Asking again (a deletion that stalled) answers the same and emits again, to repeat the hand-over.
  expect(await rpc.call(DeleteUserRpc, { userId })).toEqual(reply);
  await eventually(async () => ((await storedDeletions(userId)).length === 2 ? true : undefined));
});

it('deletes the row only once both git and collaboration confirmed, whichever comes first, and once only', async () => {
  const { rpc, admin, nats: connection, service, database } = auth();
  for (const order of [
    ['git', 'collaboration'],
    ['collaboration', 'git'],
  ] as const) {
    const user = await insertUser(admin);
    const userId = user.id as number;
    const { ghostUserId } = await rpc.call(DeleteUserRpc, { userId });
    // Content in both domains, handed over here as the two services would do it.
    const repository = await insertRepository(admin, { user_id: userId });
    const otherRepository = await insertRepository(admin);
    const issue = await insertIssue(admin, otherRepository, { author_id: userId });
    const handOver = {
      git: () => admin.query('UPDATE repositories SET user_id = $2 WHERE id = $1', [repository.id, ghostUserId]),
      collaboration: () => admin.query('UPDATE issues SET author_id = $2 WHERE id = $1', [issue.id, ghostUserId]),
    };

    await handOver[order[0]]();
    await publishHandOver(database.url, connection, order[0], { userId, ghostUserId });
    await eventually(async () =>
      (await handledConfirmations(HAND_OVER_SUBJECTS[order[0]], userId)) === 1 ? true : undefined,
    );
    // The other domain still holds content: the row stays, and the confirmation is handled, not retried.
    expect(await exists(userId)).toBe(true);
    expect(service.logs).toContainEqual(
      expect.objectContaining({ msg: expect.stringMatching(new RegExp(`^user ${userId}: .* still holds content`)) }),
    );

    await handOver[order[1]]();
    await publishHandOver(database.url, connection, order[1], { userId, ghostUserId });
    await eventually(async () => ((await exists(userId)) ? undefined : true));
    expect(await handledConfirmations(HAND_OVER_SUBJECTS[order[1]], userId)).toBe(1);
  }
  expect(
    await single(
      `SELECT (SELECT count(*) FROM auth.dead_letters)::int AS dead, (SELECT count(*) FROM auth.consumer_failures)::int AS failed`,
    ),
  ).toEqual({ dead: 0, failed: 0 });
});

it('handles a redelivered confirmation once and a late one for a deleted user as nothing to do', async () => {
  const { rpc, admin, nats: connection, service, database } = auth();
  const user = await insertUser(admin);
  const userId = user.id as number;
  const { ghostUserId } = await rpc.call(DeleteUserRpc, { userId });
  await publishHandOver(database.url, connection, 'git', { userId, ghostUserId });
  await publishHandOver(database.url, connection, 'collaboration', { userId, ghostUserId });
  await eventually(async () => ((await exists(userId)) ? undefined : true));

  // The same message again (a new message id, so the stream keeps it): the inbox drops it.
  const subject = HAND_OVER_SUBJECTS.git;
  expect(await consumerDuplicates(subject)).toBe(0);
  await redeliverLast(connection, 'PLUE_GIT', subject);
  await eventually(async () => ((await consumerDuplicates(subject)) === 1 ? true : undefined));
  // A distinct late confirmation (a deletion asked for twice): the user is gone, nothing to do.
  await publishHandOver(database.url, connection, 'git', { userId, ghostUserId });
  await eventually(async () => ((await handledConfirmations(subject, userId)) === 2 ? true : undefined));
  expect(service.logs).toContainEqual(expect.objectContaining({ msg: `user ${userId}: ${subject} handled, absent` }));
  expect(await single('SELECT count(*)::int AS n FROM auth.dead_letters')).toEqual({ n: 0 });
});

it('answers not_found, conflict for the ghost, and validation_failed naming the field, writing nothing', async () => {
  const { rpc, admin } = auth();
  const { ghostUserId } = await rpc.call(DeleteUserRpc, { userId: (await insertUser(admin)).id as number });
  const bystander = await insertUser(admin);
  const counts = () =>
    single(
      `SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM users WHERE is_active)::int AS active,
              (SELECT count(*) FROM auth.outbox)::int AS outbox`,
    );
  const before = await counts();
  const failure = (reply: Promise<unknown>) =>
    reply.then(
      () => 'no error',
      (error: unknown) => error,
    );

  expect(await failure(rpc.call(DeleteUserRpc, { userId: 987_654_321 }))).toMatchObject({
    code: 'not_found',
    details: { field: 'userId' },
  });
  expect(await failure(rpc.call(DeleteUserRpc, { userId: ghostUserId }))).toMatchObject({
    code: 'conflict',
    details: { field: 'userId' },
  });
  for (const [request, field] of [
    [{ userId: String(bystander.id) }, 'userId'],
    [{ userId: 0 }, 'userId'],
    [{}, 'userId'],
    [{ userId: bystander.id, now: true }, '(input)'],
  ] as const) {
    const refused = await failure(rpc.callUnchecked(DeleteUserRpc, request));
    expect(refused).toBeInstanceOf(RpcCallError);
    expect(refused).toMatchObject({ code: 'validation_failed' });
    expect((refused as RpcCallError).details.issues).toContainEqual({ field, message: expect.any(String) });
  }
  expect(await counts()).toEqual(before);
});
