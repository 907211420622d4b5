import { jetstreamManager } from '@nats-io/jetstream';
import { DEFAULT_LABELS } from '@plue/collaboration';
import {
  CreateCommentRpc,
  CreateIssueRpc,
  EVENT_HEADERS,
  GetIssueRpc,
  ListIssuesRpc,
  UpdateIssueRpc,
  type EventPayload,
} from '@plue/contracts';
import { redeliverLast } from '@plue/messaging/testing';
import { continueTrace, RpcCallError, runInTrace, type ReadinessReport } from '@plue/service-kit';
import { expectServiceReady, insertRepository, insertUser, unique } from '@plue/testing';
import { eventually } from './collaboration-service-process';
import { publishRepositoriesCreated } from './git-events';
import { useCollaborationService } from './service-under-test';

const collaboration = useCollaborationService({ LOG_LEVEL: 'debug' });

async function readiness(): Promise<ReadinessReport> {
  const { healthPort } = collaboration();
  return (await (await fetch(`http://127.0.0.1:${healthPort}/health/ready`)).json()) as ReadinessReport;
}

/** The last event stored on `subject` whose payload satisfies `matches`, once JetStream has it. */
async function storedEvent<T>(subject: string, matches: (payload: T) => boolean) {
  const { nats: connection } = collaboration();
  const jsm = await jetstreamManager(connection);
  return eventually(async () => {
    const message = await jsm.streams.getMessage('PLUE_COLLABORATION', { last_by_subj: subject }).catch(() => null);
    return message && matches(message.json<T>()) ? message : undefined;
  });
}

it('starts from its build output alone and answers readiness with each check', async () => {
  const { healthPort } = collaboration();
  await expectServiceReady(healthPort, {
    relaySchema: 'collaboration',
    consumerSubjects: ['plue.auth.user.deleted', 'plue.git.branch.pushed', 'plue.git.repository.created'],
  });
});

it('opens an issue over RPC, and its event (with the mentions) reaches JetStream with the caller’s trace', async () => {
  const { rpc, admin, service } = collaboration();
  const repository = await insertRepository(admin);
  const mentioned = await insertUser(admin);
  const trace = continueTrace();
  const title = unique('Crash on start ');

  const reply = await runInTrace(trace, () =>
    rpc.call(CreateIssueRpc, {
      repoId: repository.id as number,
      authorId: repository.user_id as number,
      title,
      body: `cc @${String(mentioned.username).toUpperCase()} and @nobody-${unique('x')}`,
    }),
  );

  expect(reply).toMatchObject({ repoId: repository.id, number: 1, title, state: 'open', isPullRequest: false });
  const { rows } = await admin.query('SELECT repo_id::int, issue_number::int, title FROM issues WHERE id = $1', [
    reply.id,
  ]);
  expect(rows).toEqual([{ repo_id: repository.id, issue_number: 1, title }]);

  const stored = await storedEvent<EventPayload<'plue.collaboration.issue.opened'>>(
    'plue.collaboration.issue.opened',
    (payload) => payload.issueId === reply.id,
  );
  expect(stored.json()).toEqual({
    issueId: reply.id,
    repoId: repository.id,
    issueNumber: 1,
    authorId: repository.user_id,
    title,
    isPullRequest: false,
    mentionedUserIds: [mentioned.id],
  });
  expect(stored.header.get(EVENT_HEADERS.traceparent)).toMatch(new RegExp(`^00-${trace.traceId}-`));
  expect(service.logs).toContainEqual(
    expect.objectContaining({ msg: 'message handled', subject: CreateIssueRpc.pattern, traceId: trace.traceId }),
  );
});

it('gets, lists (filters and cursor) and updates issues', async () => {
  const { rpc, admin } = collaboration();
  const repository = await insertRepository(admin);
  const open = (title: string) =>
    rpc.call(CreateIssueRpc, { repoId: repository.id as number, authorId: repository.user_id as number, title });
  const first = await open('first');
  const second = await open('second');
  const third = await open('third');
  expect([first.number, second.number, third.number]).toEqual([1, 2, 3]);

  expect(await rpc.call(GetIssueRpc, { repoId: repository.id as number, number: 2 })).toEqual(second);

  const closed = await rpc.call(UpdateIssueRpc, {
    repoId: repository.id as number,
    number: 2,
    actorId: repository.user_id as number,
    state: 'closed',
    title: 'second, renamed',
  });
  expect(closed).toMatchObject({
    id: second.id,
    state: 'closed',
    title: 'second, renamed',
    closedAt: expect.any(String),
  });

  const page1 = await rpc.call(ListIssuesRpc, {
    repoId: repository.id as number,
    limit: 1,
    sort: 'created',
    direction: 'asc',
  });
  expect(page1.items.map((issue) => issue.number)).toEqual([1]);
  const page2 = await rpc.call(ListIssuesRpc, {
    repoId: repository.id as number,
    limit: 1,
    sort: 'created',
    direction: 'asc',
    cursor: page1.nextCursor!,
  });
  expect(page2.items.map((issue) => issue.number)).toEqual([3]);
  expect(page2.nextCursor).toBeNull();
  const closedOnly = await rpc.call(ListIssuesRpc, { repoId: repository.id as number, state: 'closed' });
  expect(closedOnly.items.map((issue) => issue.id)).toEqual([second.id]);
  const searched = await rpc.call(ListIssuesRpc, { repoId: repository.id as number, state: 'all', search: 'renamed' });
  expect(searched.items.map((issue) => issue.id)).toEqual([second.id]);

  const badCursor = await rpc
    .call(ListIssuesRpc, { repoId: repository.id as number, cursor: 'not-a-cursor' })
    .catch((error: unknown) => error);
  expect(badCursor).toMatchObject({ code: 'validation_failed' });
});

it('comments on an issue, and comment.created carries the mentions', async () => {
  const { rpc, admin } = collaboration();
  const repository = await insertRepository(admin);
  const mentioned = await insertUser(admin);
  const issue = await rpc.call(CreateIssueRpc, {
    repoId: repository.id as number,
    authorId: repository.user_id as number,
    title: 'needs a comment',
  });
  const body = `@${String(mentioned.username)} please look`;

  const comment = await rpc.call(CreateCommentRpc, {
    repoId: repository.id as number,
    issueNumber: issue.number,
    authorId: repository.user_id as number,
    body,
  });

  expect(comment).toMatchObject({ issueId: issue.id, repoId: repository.id, issueNumber: issue.number, body });
  const stored = await storedEvent<EventPayload<'plue.collaboration.comment.created'>>(
    'plue.collaboration.comment.created',
    (payload) => payload.commentId === comment.id,
  );
  expect(stored.json()).toEqual({
    commentId: comment.id,
    issueId: issue.id,
    repoId: repository.id,
    issueNumber: issue.number,
    authorId: repository.user_id,
    body,
    mentionedUserIds: [mentioned.id],
  });
  expect((await rpc.call(GetIssueRpc, { repoId: repository.id as number, number: issue.number })).commentCount).toBe(1);
});

it('answers an invalid request with a structured validation error and writes nothing', async () => {
  const { rpc, admin, count } = collaboration();
  const repository = await insertRepository(admin);
  const before = [await count('issues'), await count('comments'), await count('collaboration.outbox')];

  const failure = await rpc
    .callUnchecked(CreateIssueRpc, { repoId: repository.id, authorId: repository.user_id, title: '', labels: 'bug' })
    .catch((error: unknown) => error);
  const commentFailure = await rpc
    .callUnchecked(CreateCommentRpc, { repoId: repository.id, issueNumber: 0, authorId: repository.user_id })
    .catch((error: unknown) => error);

  expect(failure).toBeInstanceOf(RpcCallError);
  expect(failure).toMatchObject({
    code: 'validation_failed',
    details: {
      issues: expect.arrayContaining([
        { field: 'title', message: expect.any(String) },
        { field: '(input)', message: expect.stringContaining('labels') },
      ]),
    },
  });
  expect(commentFailure).toMatchObject({
    code: 'validation_failed',
    details: {
      issues: expect.arrayContaining([
        { field: 'issueNumber', message: expect.any(String) },
        { field: 'body', message: expect.any(String) },
      ]),
    },
  });
  expect([await count('issues'), await count('comments'), await count('collaboration.outbox')]).toEqual(before);
});

it('returns domain errors with their code and no stack trace, and writes nothing', async () => {
  const { rpc, admin, count } = collaboration();
  const repository = await insertRepository(admin);
  const outboxBefore = await count('collaboration.outbox');

  const missing = await rpc
    .call(CreateCommentRpc, {
      repoId: repository.id as number,
      issueNumber: 42,
      authorId: repository.user_id as number,
      body: 'hello',
    })
    .catch((error: unknown) => error);
  const noRepository = await rpc
    .call(CreateIssueRpc, { repoId: 987_654_321, authorId: repository.user_id as number, title: 'orphan' })
    .catch((error: unknown) => error);

  expect(missing).toMatchObject({ code: 'not_found', details: { field: 'issueNumber' } });
  expect(noRepository).toMatchObject({ code: 'missing_reference', details: { constraint: 'issues_repo_id_fkey' } });
  expect(JSON.stringify([missing, noRepository])).not.toMatch(/\bat .+\.js:\d+/);
  expect(await count('collaboration.outbox')).toBe(outboxBefore);
});

it('gives a new repository its default labels exactly once (DESIGN §4 flow 1)', async () => {
  const { admin, nats: connection, database } = collaboration();
  const repository = await insertRepository(admin);
  const event = {
    repoId: repository.id as number,
    ownerId: repository.user_id as number,
    name: String(repository.name),
    defaultBranch: 'main',
    isPublic: true,
  };
  const labelNames = async () => {
    const { rows } = await admin.query('SELECT name FROM labels WHERE repo_id = $1 ORDER BY name', [repository.id]);
    return rows.map((row) => row.name as string);
  };
  const expected = DEFAULT_LABELS.map((label) => label.name).sort();

  await publishRepositoriesCreated(database.url, connection, [event]);
  expect(await eventually(async () => ((await labelNames()).length > 0 ? labelNames() : undefined))).toEqual(expected);

  // The same event delivered again (a new message id, so the stream keeps it): the inbox drops it.
  const duplicatesBefore = await consumerDuplicates();
  await redeliverLast(connection, 'PLUE_GIT', 'plue.git.repository.created');
  await eventually(async () => ((await consumerDuplicates()) > duplicatesBefore ? true : undefined));

  // A second, distinct event for the repository (a replay from git's side) adds nothing either.
  await publishRepositoriesCreated(database.url, connection, [event]);
  await eventually(async () => {
    const { rows } = await admin.query(
      `SELECT count(*)::int AS n FROM collaboration.inbox
        WHERE consumer = 'collaboration--plue_git_repository_created' AND aggregate_id = $1`,
      [String(repository.id)],
    );
    return rows[0].n === 2 ? true : undefined;
  });
  expect(await labelNames()).toEqual(expected);
});

async function consumerDuplicates(): Promise<number> {
  const report = await readiness();
  const consumers = report.checks.messaging.consumers as { subject: string; duplicates: number }[];
  return consumers.find((consumer) => consumer.subject === 'plue.git.repository.created')!.duplicates;
}

it('on SIGTERM stops taking requests, finishes the one in progress, then exits 0', async () => {
  const { rpc, admin, healthPort, service, database } = collaboration();
  const repository = await insertRepository(admin);
  const issue = await rpc.call(CreateIssueRpc, {
    repoId: repository.id as number,
    authorId: repository.user_id as number,
    title: 'held',
  });
  // Holding the issue row keeps the update below in progress for as long as the test wants.
  const blocker = await database.connect();
  await blocker.query('BEGIN');
  await blocker.query('SELECT 1 FROM issues WHERE id = $1 FOR UPDATE', [issue.id]);
  const inProgress = rpc.call(UpdateIssueRpc, {
    repoId: repository.id as number,
    number: issue.number,
    state: 'closed',
  });
  await eventually(async () => {
    const { rows } = await admin.query(
      `SELECT 1 FROM pg_stat_activity WHERE application_name = 'collaboration-service' AND wait_event_type = 'Lock'`,
    );
    return rows.length > 0 ? true : undefined;
  });

  service.child.kill('SIGTERM');
  // New requests find no responder once the subscriptions are gone (other instances would get them).
  const refusal = await eventually(() =>
    rpc.call(GetIssueRpc, { repoId: repository.id as number, number: issue.number }).then(
      () => undefined,
      (error: unknown) => error,
    ),
  );
  expect(String(refusal)).toMatch(/no responders/i);
  expect((await fetch(`http://127.0.0.1:${healthPort}/health/ready`)).status).toBe(503);

  await blocker.query('COMMIT');
  expect(await inProgress).toMatchObject({ id: issue.id, state: 'closed' });
  expect(await service.exited).toBe(0);
  const messages = service.logs.map((line) => line.msg);
  expect(messages).toEqual(expect.arrayContaining(['collaboration-service stopping', 'collaboration-service stopped']));
  expect(service.logs.filter((line) => line.level === 'error')).toEqual([]);
  await expect(fetch(`http://127.0.0.1:${healthPort}/health/live`)).rejects.toThrow();
});
