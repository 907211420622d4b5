import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import {
  CheckMergeRpc,
  CreatePullRequestRpc,
  GetPullRequestRpc,
  MergePullRequestRpc,
  SubmitReviewRpc,
  type RpcReplyOf,
  type RpcRequestOf,
} from '@plue/contracts';
import { RpcClient } from '@plue/service-kit';
import { eventually, insertIssue, insertRepository, insertUser } from '@plue/testing';
import type { Client } from 'pg';
import { useCollaborationService } from './service-under-test';
import { publishBranchesPushed } from './git-events';

// Pull requests, reviews and the merge of DESIGN §4 flow 4 against the built collaboration-service.
// Git's half of the check is played here by a responder on the same nats-server that answers in
// the contract's wire format and records what it was asked: it lets these tests choose git's verdict,
// or its silence. The two real services together: apps/e2e/test/protected-merge.spec.ts.

const collaboration = useCollaborationService({ LOG_LEVEL: 'debug' });
let connection: NatsConnection;
let rpc: RpcClient;
let admin: Client;
let databaseUrl: string;

beforeAll(() => {
  ({ nats: connection, rpc, admin } = collaboration());
  databaseUrl = collaboration().database.url;
});

type CheckReply = RpcReplyOf<typeof CheckMergeRpc>;
type GitAnswer = { response: CheckReply } | { err: { code: string; message: string; details: object } };

/**
 * Answers git's check_merge with `answer` until unsubscribed, after `meanwhile` (something that
 * happens while git checks); `asked` holds each request's data.
 */
function gitAnswering(
  answer: GitAnswer,
  meanwhile: () => Promise<unknown> = async () => undefined,
): { asked: RpcRequestOf<typeof CheckMergeRpc>[]; subscription: Subscription } {
  const asked: RpcRequestOf<typeof CheckMergeRpc>[] = [];
  const subscription = connection.subscribe(CheckMergeRpc.pattern);
  void (async () => {
    for await (const message of subscription) {
      const request = message.json<{ id: string; data: RpcRequestOf<typeof CheckMergeRpc> }>();
      asked.push(request.data);
      await meanwhile();
      message.respond(JSON.stringify({ id: request.id, ...answer, isDisposed: true }));
    }
  })();
  return { asked, subscription };
}

const RULE: NonNullable<CheckReply['rule']> = {
  id: 1,
  repoId: 1,
  ruleName: 'main',
  priority: 0,
  canPush: false,
  enablePushAllowlist: false,
  pushAllowlistUserIds: [],
  canForcePush: false,
  enableForcePushAllowlist: false,
  forcePushAllowlistUserIds: [],
  enableMergeAllowlist: false,
  mergeAllowlistUserIds: [],
  requiredApprovals: 2,
  enableStatusCheck: true,
  statusCheckContexts: ['ci'],
  blockOnRejectedReviews: false,
  blockOnOutdatedBranch: false,
  dismissStaleApprovals: false,
  createdAt: new Date().toISOString(),
  updatedAt: new Date().toISOString(),
};

const HEAD = 'a'.repeat(40);

async function openPullRequest() {
  const repository = await insertRepository(admin);
  const pullRequest = await rpc.call(CreatePullRequestRpc, {
    repoId: repository.id as number,
    authorId: repository.user_id as number,
    title: 'Feature',
    baseBranch: 'main',
    headBranch: 'feature',
    headCommitSha: HEAD,
  });
  return { repository, pullRequest, repoId: repository.id as number, authorId: repository.user_id as number };
}

async function counts() {
  const { rows } = await admin.query(
    `SELECT (SELECT count(*) FROM issues)::int AS issues, (SELECT count(*) FROM pull_requests)::int AS pull_requests,
            (SELECT count(*) FROM pull_requests WHERE has_merged)::int AS merged,
            (SELECT count(*) FROM reviews)::int AS reviews, (SELECT count(*) FROM issue_events)::int AS issue_events,
            (SELECT count(*) FROM collaboration.outbox)::int AS outbox`,
  );
  return rows[0] as Record<string, number>;
}

function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (reply) => {
      throw new Error(`expected an error, got ${JSON.stringify(reply)}`);
    },
    (error: unknown) => error,
  );
}

it('opens a pull request (issue, pull_requests row, issue.opened) and gets it by number', async () => {
  const { repository, repoId, authorId, pullRequest } = await openPullRequest();
  expect(pullRequest).toMatchObject({
    repoId,
    number: 1,
    authorId,
    isPullRequest: true,
    state: 'open',
    baseBranch: 'main',
    headBranch: 'feature',
    headCommitSha: HEAD,
    status: 'checking',
    hasMerged: false,
    mergedBy: null,
  });
  expect(await rpc.call(GetPullRequestRpc, { repoId, number: 1 })).toEqual(pullRequest);
  const { rows } = await admin.query(
    `SELECT payload FROM collaboration.outbox WHERE subject = 'plue.collaboration.issue.opened' AND aggregate_id = $1`,
    [String(pullRequest.id)],
  );
  expect(rows).toEqual([{ payload: expect.objectContaining({ issueId: pullRequest.id, isPullRequest: true }) }]);

  // A plain issue is not a pull request.
  const issue = await insertIssue(admin, repository);
  expect(await failureOf(rpc.call(GetPullRequestRpc, { repoId, number: issue.issue_number as number }))).toMatchObject({
    code: 'not_found',
    details: { field: 'number' },
  });
});

it('refuses an invalid pull request naming the field, and writes nothing', async () => {
  const repository = await insertRepository(admin);
  const valid = {
    repoId: repository.id as number,
    authorId: repository.user_id as number,
    title: 'Feature',
    baseBranch: 'main',
    headBranch: 'feature',
    headCommitSha: HEAD,
  };
  const before = await counts();

  expect(await failureOf(rpc.call(CreatePullRequestRpc, { ...valid, headBranch: 'main' }))).toMatchObject({
    code: 'validation_failed',
    details: { field: 'headBranch' },
  });
  expect(await failureOf(rpc.callUnchecked(CreatePullRequestRpc, { ...valid, headCommitSha: 'HEAD' }))).toMatchObject({
    code: 'validation_failed',
    details: { field: 'headCommitSha' },
  });
  expect(await failureOf(rpc.call(CreatePullRequestRpc, { ...valid, baseBranch: 'bad..name' }))).toMatchObject({
    code: 'validation_failed',
    details: { field: 'baseBranch' },
  });
  expect(await counts()).toEqual(before);
});

it('records reviews of the head commit; the author may comment but not approve', async () => {
  const { repoId, authorId, pullRequest } = await openPullRequest();
  const reviewer = await insertUser(admin);
  const before = await counts();

  expect(
    await failureOf(
      rpc.call(SubmitReviewRpc, { repoId, number: pullRequest.number, reviewerId: authorId, state: 'approved' }),
    ),
  ).toMatchObject({ code: 'validation_failed', details: { field: 'reviewerId' } });
  expect(
    await failureOf(
      rpc.call(SubmitReviewRpc, { repoId, number: 99, reviewerId: reviewer.id as number, state: 'approved' }),
    ),
  ).toMatchObject({ code: 'not_found', details: { field: 'number' } });
  expect(
    await failureOf(
      rpc.callUnchecked(SubmitReviewRpc, { repoId, number: pullRequest.number, reviewerId: 0, state: 'lgtm' }),
    ),
  ).toMatchObject({ code: 'validation_failed' });
  expect(await counts()).toEqual(before);

  const comment = await rpc.call(SubmitReviewRpc, {
    repoId,
    number: pullRequest.number,
    reviewerId: authorId,
    state: 'commented',
    body: 'Ready for review',
  });
  expect(comment).toMatchObject({ reviewerId: authorId, state: 'commented', commitSha: HEAD });
  const approval = await rpc.call(SubmitReviewRpc, {
    repoId,
    number: pullRequest.number,
    reviewerId: reviewer.id as number,
    state: 'approved',
  });
  expect(approval).toMatchObject({
    repoId,
    pullRequestNumber: pullRequest.number,
    reviewerId: reviewer.id,
    state: 'approved',
    commitSha: HEAD,
    stale: false,
  });
  const { rows } = await admin.query('SELECT state, commit_id FROM reviews WHERE id = $1', [approval.id]);
  expect(rows).toEqual([{ state: 'approved', commit_id: HEAD }]);
});

it('tells git who holds which verdict and refuses the merge with git’s unmet requirements', async () => {
  const { repoId, pullRequest } = await openPullRequest();
  const users: Record<string, unknown>[] = [];
  for (let index = 0; index < 5; index++) users.push(await insertUser(admin));
  const [approver, staleApprover, changer, commenter, merger] = users;
  const review = (reviewer: Record<string, unknown>, state: 'approved' | 'changes_requested' | 'commented') =>
    rpc.call(SubmitReviewRpc, { repoId, number: pullRequest.number, reviewerId: reviewer.id as number, state });
  await review(approver, 'approved');
  await review(approver, 'commented'); // a comment does not change a verdict
  const stale = await review(staleApprover, 'approved');
  await admin.query('UPDATE reviews SET stale = true WHERE id = $1', [stale.id]); // the head moved since
  await review(changer, 'approved');
  await review(changer, 'changes_requested'); // the latest verdict counts
  await review(commenter, 'commented');

  const unmet: CheckReply['unmet'] = [
    { requirement: 'approvals', required: 2, actual: 1, ignoredApproverIds: [staleApprover.id as number] },
    { requirement: 'status_checks', contexts: [{ context: 'ci', state: 'missing' }], noStatuses: false },
  ];
  const git = gitAnswering({ response: { allowed: false, rule: RULE, unmet } });
  const before = await counts();
  try {
    const failure = await failureOf(
      rpc.call(MergePullRequestRpc, { repoId, number: pullRequest.number, mergerId: merger.id as number }),
    );
    expect(failure).toMatchObject({ code: 'precondition_failed', details: { unmet, rule: { ruleName: 'main' } } });
    expect(git.asked).toEqual([
      {
        repoId,
        baseBranch: 'main',
        headCommitSha: HEAD,
        mergerId: merger.id,
        mergeBaseSha: null,
        // Ids, not counts: git decides whose verdict counts (write access). The commenter has none.
        approverIds: [approver.id],
        staleApproverIds: [staleApprover.id],
        rejecterIds: [changer.id],
      },
    ]);
    expect(await counts()).toEqual(before);
  } finally {
    git.subscription.unsubscribe();
  }
});

it('merges when git allows it: merged row, closed issue, timeline and pull_request.merged in one transaction', async () => {
  const { repoId, pullRequest } = await openPullRequest();
  const merger = await insertUser(admin);
  const git = gitAnswering({ response: { allowed: true, rule: null, unmet: [] } });
  try {
    const merged = await rpc.call(MergePullRequestRpc, {
      repoId,
      number: pullRequest.number,
      mergerId: merger.id as number,
      mergeStyle: 'rebase',
    });
    expect(merged).toMatchObject({
      state: 'closed',
      status: 'merged',
      hasMerged: true,
      mergedBy: merger.id,
      mergedCommitSha: HEAD,
      mergeStyle: 'rebase',
      mergedAt: expect.any(String),
    });
    const events = await admin.query('SELECT event_type FROM issue_events WHERE issue_id = $1 ORDER BY id', [
      pullRequest.id,
    ]);
    expect(events.rows.map((row) => row.event_type)).toEqual(['opened', 'merged', 'closed']);
    const outbox = await admin.query(
      `SELECT payload FROM collaboration.outbox WHERE subject = 'plue.collaboration.pull_request.merged' AND aggregate_id = $1`,
      [String(pullRequest.id)],
    );
    expect(outbox.rows).toEqual([
      {
        payload: {
          issueId: pullRequest.id,
          repoId,
          issueNumber: pullRequest.number,
          baseBranch: 'main',
          headBranch: 'feature',
          headCommitSha: HEAD,
          mergedCommitSha: HEAD,
          mergeStyle: 'rebase',
          mergedBy: merger.id,
          mergedAt: merged.mergedAt,
        },
      },
    ]);

    // Merged: no second merge (git is not even asked) and no more reviews.
    const asked = git.asked.length;
    expect(
      await failureOf(
        rpc.call(MergePullRequestRpc, { repoId, number: pullRequest.number, mergerId: merger.id as number }),
      ),
    ).toMatchObject({ code: 'conflict', details: { field: 'number' } });
    expect(git.asked).toHaveLength(asked);
    expect(
      await failureOf(
        rpc.call(SubmitReviewRpc, {
          repoId,
          number: pullRequest.number,
          reviewerId: merger.id as number,
          state: 'approved',
        }),
      ),
    ).toMatchObject({ code: 'conflict' });
  } finally {
    git.subscription.unsubscribe();
  }
});

it('refuses with git’s merge_permission when the merger may not merge an unprotected branch', async () => {
  const { repoId, pullRequest } = await openPullRequest();
  const outsider = await insertUser(admin);
  const unmet: CheckReply['unmet'] = [{ requirement: 'merge_permission', mergerId: outsider.id as number }];
  const git = gitAnswering({ response: { allowed: false, rule: null, unmet } });
  const before = await counts();
  try {
    const failure = await failureOf(
      rpc.call(MergePullRequestRpc, { repoId, number: pullRequest.number, mergerId: outsider.id as number }),
    );
    expect(failure).toMatchObject({
      code: 'precondition_failed',
      message: expect.stringContaining('the merge requirements of branch main are not met'),
      details: { unmet, rule: null },
    });
    expect(git.asked).toEqual([expect.objectContaining({ mergerId: outsider.id, approverIds: [] })]);
    expect(await counts()).toEqual(before);
  } finally {
    git.subscription.unsubscribe();
  }
});

it('sends reviewers ascending, and refuses with conflict when a verdict arrives during git’s check', async () => {
  const { repoId, pullRequest } = await openPullRequest();
  const users: Record<string, unknown>[] = [];
  for (let index = 0; index < 4; index++) users.push(await insertUser(admin));
  const [first, second, latecomer, merger] = users;
  const approve = (reviewer: Record<string, unknown>) =>
    rpc.call(SubmitReviewRpc, {
      repoId,
      number: pullRequest.number,
      reviewerId: reviewer.id as number,
      state: 'approved',
    });
  await approve(second);
  await approve(first);

  // Git says yes, but another approval is recorded between its check and the merge transaction.
  const git = gitAnswering({ response: { allowed: true, rule: null, unmet: [] } }, () => approve(latecomer));
  const before = await counts();
  try {
    const failure = await failureOf(
      rpc.call(MergePullRequestRpc, { repoId, number: pullRequest.number, mergerId: merger.id as number }),
    );
    expect(failure).toMatchObject({ code: 'conflict', details: { field: 'number' } });
    expect(git.asked).toEqual([
      expect.objectContaining({ approverIds: [first.id, second.id], staleApproverIds: [], rejecterIds: [] }),
    ]);
    // Only the late review and its timeline event were written: nothing merged, no event emitted.
    expect(await counts()).toEqual({ ...before, reviews: before.reviews + 1, issue_events: before.issue_events + 1 });
  } finally {
    git.subscription.unsubscribe();
  }
});

it('fails closed: without an answer from git, or with an error from it, nothing is merged', async () => {
  const { repoId, pullRequest, authorId } = await openPullRequest();
  const merge = { repoId, number: pullRequest.number, mergerId: authorId };
  const before = await counts();

  // No git-service subscribed: NATS answers "no responders".
  expect(await failureOf(rpc.call(MergePullRequestRpc, merge))).toMatchObject({
    code: 'unavailable',
    details: { service: 'git-service', pattern: CheckMergeRpc.pattern },
  });

  const git = gitAnswering({ err: { code: 'internal', message: 'internal error', details: {} } });
  try {
    expect(await failureOf(rpc.call(MergePullRequestRpc, merge))).toMatchObject({
      code: 'unavailable',
      details: { reason: 'git replied internal' },
    });
    expect(git.asked).toHaveLength(1);
  } finally {
    git.subscription.unsubscribe();
  }
  expect(await counts()).toEqual(before);
  expect((await rpc.call(GetPullRequestRpc, { repoId, number: pullRequest.number })).hasMerged).toBe(false);
});

it('moves the head of open pull requests on a push to their head branch, and older verdicts become stale', async () => {
  const { repoId, authorId, pullRequest } = await openPullRequest();
  const reviewer = await insertUser(admin);
  await rpc.call(SubmitReviewRpc, {
    repoId,
    number: pullRequest.number,
    reviewerId: reviewer.id as number,
    state: 'approved',
  });
  const newHead = 'b'.repeat(40);

  // A push to another branch of the repository changes nothing; the push to `feature` moves the head.
  await publishBranchesPushed(databaseUrl, connection, [
    {
      repoId,
      branch: 'main',
      ref: 'refs/heads/main',
      beforeCommitSha: null,
      headCommitSha: newHead,
      pusherId: authorId,
      forced: false,
    },
    {
      repoId,
      branch: 'feature',
      ref: 'refs/heads/feature',
      beforeCommitSha: HEAD,
      headCommitSha: newHead,
      pusherId: authorId,
      forced: false,
    },
  ]);
  const moved = await eventually(async () => {
    const current = await rpc.call(GetPullRequestRpc, { repoId, number: pullRequest.number });
    return current.headCommitSha === newHead ? current : undefined;
  });
  expect(moved).toMatchObject({ baseBranch: 'main', headBranch: 'feature', status: 'checking' });
  const { rows } = await admin.query('SELECT commit_id, stale FROM reviews WHERE issue_id = $1', [pullRequest.id]);
  expect(rows).toEqual([{ commit_id: HEAD, stale: true }]);

  const git = gitAnswering({ response: { allowed: false, rule: RULE, unmet: [] } });
  try {
    await failureOf(rpc.call(MergePullRequestRpc, { repoId, number: pullRequest.number, mergerId: authorId }));
    expect(git.asked).toEqual([
      expect.objectContaining({
        headCommitSha: newHead,
        approverIds: [],
        staleApproverIds: [reviewer.id],
        rejecterIds: [],
      }),
    ]);
  } finally {
    git.subscription.unsubscribe();
  }
  // A new review is of the new head.
  const again = await rpc.call(SubmitReviewRpc, {
    repoId,
    number: pullRequest.number,
    reviewerId: reviewer.id as number,
    state: 'approved',
  });
  expect(again).toMatchObject({ commitSha: newHead, stale: false });
});

it('refuses an invalid merge naming the field, and an unknown pull request, writing nothing', async () => {
  const { repoId, pullRequest, authorId } = await openPullRequest();
  const before = await counts();
  expect(
    await failureOf(
      rpc.callUnchecked(MergePullRequestRpc, {
        repoId,
        number: pullRequest.number,
        mergerId: authorId,
        mergeStyle: 'ff',
      }),
    ),
  ).toMatchObject({ code: 'validation_failed', details: { field: 'mergeStyle' } });
  expect(
    await failureOf(rpc.callUnchecked(MergePullRequestRpc, { repoId, number: pullRequest.number, force: true })),
  ).toMatchObject({
    code: 'validation_failed',
    details: {
      issues: expect.arrayContaining([
        { field: 'mergerId', message: expect.any(String) },
        { field: '(input)', message: expect.stringContaining('force') },
      ]),
    },
  });
  expect(await failureOf(rpc.call(MergePullRequestRpc, { repoId, number: 404, mergerId: authorId }))).toMatchObject({
    code: 'not_found',
    details: { field: 'number' },
  });
  expect(await counts()).toEqual(before);
});
