import { createHash } from 'node:crypto';
import { eventually, insertUser, unique, useTestDatabase } from '@plue/testing';
import { handledEvents, startPlatform, type Platform } from './support/platform';

// DESIGN §4 flow 4 across the real built services: collaboration merges a pull request only after
// git (asked over NATS) says the merger has write access and the base branch's protection rule is
// met: the reviewers' verdicts from collaboration, counted by git only for users with write access,
// status checks from git's commit statuses. Every call is plain NATS in the contracts README's
// wire format.

const database = useTestDatabase();
let platform: Platform;

const sha = (text: string) => createHash('sha1').update(text).digest('hex');

beforeAll(async () => {
  platform = await startPlatform(database(), ['git', 'collaboration']);
});

afterAll(async () => {
  await platform?.stop();
});

interface PullRequest {
  id: number;
  number: number;
  state: string;
  status: string;
  hasMerged: boolean;
  mergedBy: number | null;
  mergedCommitSha: string | null;
  headCommitSha: string | null;
}

/** A repository with `main` and `feature` pushed, and a pull request feature → main by `author`. */
async function repositoryWithPullRequest(author: Record<string, unknown>) {
  const { id: repoId } = await platform.call<{ id: number }>('plue.rpc.git.repository.create', {
    ownerId: author.id as number,
    name: unique('merge-'),
  });
  await platform.call('plue.rpc.git.branch.push', {
    repoId,
    branch: 'main',
    headCommitSha: sha(unique('main')),
    pusherId: author.id as number,
  });
  await platform.call('plue.rpc.git.branch.push', {
    repoId,
    branch: 'feature',
    headCommitSha: sha(unique('feature')),
    pusherId: author.id as number,
  });
  // The head commit as git knows it: the client asks git, as a UI would.
  const feature = await platform.call<{ commitId: string }>('plue.rpc.git.branch.get', { repoId, name: 'feature' });
  const pullRequest = await platform.call<PullRequest>('plue.rpc.collaboration.pull_request.create', {
    repoId,
    authorId: author.id as number,
    title: 'Add the feature',
    baseBranch: 'main',
    headBranch: 'feature',
    headCommitSha: feature.commitId,
  });
  return { repoId, headCommitSha: feature.commitId, pullRequest };
}

/** Grants `permission` on the repository, as a repository admin would through the gateway. */
function grant(repoId: number, user: Record<string, unknown>, permission: 'read' | 'write' | 'admin') {
  return platform.call('plue.rpc.git.collaborator.add', { repoId, userId: user.id as number, permission });
}

async function count(sql: string, params: unknown[]): Promise<number> {
  return (await platform.admin.query(sql, params)).rows[0].n;
}

it('refuses to merge while the protection rule of the base branch is unmet, and merges once it is met', async () => {
  const author = await insertUser(platform.admin);
  const reviewer = await insertUser(platform.admin);
  const { repoId, headCommitSha, pullRequest } = await repositoryWithPullRequest(author);
  expect(pullRequest).toMatchObject({ number: 1, state: 'open', hasMerged: false, headCommitSha });

  const { rule } = await platform.call<{ rule: { id: number } }>('plue.rpc.git.protected_branch.upsert', {
    repoId,
    ruleName: 'main',
    requiredApprovals: 1,
    enableStatusCheck: true,
    statusCheckContexts: ['ci'],
  });
  const merge = { repoId, number: pullRequest.number, mergerId: author.id as number };

  // Nothing met: no approval, no status for `ci`.
  const refused = await platform.callExpectingError('plue.rpc.collaboration.pull_request.merge', merge);
  expect(refused.code).toBe('precondition_failed');
  expect(refused.details.rule).toMatchObject({ id: rule.id, ruleName: 'main', requiredApprovals: 1 });
  expect(refused.details.unmet).toEqual([
    { requirement: 'approvals', required: 1, actual: 0, ignoredApproverIds: [] },
    { requirement: 'status_checks', contexts: [{ context: 'ci', state: 'missing' }], noStatuses: false },
  ]);

  // The author cannot approve their own pull request; a collaborator with write access can.
  await grant(repoId, reviewer, 'write');
  const ownApproval = await platform.callExpectingError('plue.rpc.collaboration.review.submit', {
    repoId,
    number: pullRequest.number,
    reviewerId: author.id as number,
    state: 'approved',
  });
  expect(ownApproval).toMatchObject({ code: 'validation_failed', details: { field: 'reviewerId' } });
  const review = await platform.call('plue.rpc.collaboration.review.submit', {
    repoId,
    number: pullRequest.number,
    reviewerId: reviewer.id as number,
    state: 'approved',
    body: 'LGTM',
  });
  expect(review).toMatchObject({ reviewerId: reviewer.id, state: 'approved', commitSha: headCommitSha, stale: false });

  // Approved, but `ci` is still pending: refused for the status check alone.
  await platform.call('plue.rpc.git.commit_status.upsert', {
    repoId,
    commitSha: headCommitSha,
    context: 'ci',
    state: 'pending',
  });
  const stillRefused = await platform.callExpectingError('plue.rpc.collaboration.pull_request.merge', merge);
  expect(stillRefused.code).toBe('precondition_failed');
  expect(stillRefused.details.unmet).toEqual([
    { requirement: 'status_checks', contexts: [{ context: 'ci', state: 'pending' }], noStatuses: false },
  ]);
  expect(await count('SELECT count(*)::int AS n FROM pull_requests WHERE has_merged', [])).toBe(0);

  // `ci` succeeds on the head commit: the merge goes through.
  await platform.call('plue.rpc.git.commit_status.upsert', {
    repoId,
    commitSha: headCommitSha,
    context: 'ci',
    state: 'success',
  });
  const merged = await platform.call<PullRequest>('plue.rpc.collaboration.pull_request.merge', merge);
  expect(merged).toMatchObject({
    id: pullRequest.id,
    state: 'closed',
    status: 'merged',
    hasMerged: true,
    mergedBy: author.id,
    mergedCommitSha: headCommitSha,
  });

  const { rows } = await platform.admin.query(
    `SELECT p.status, p.has_merged, p.merged_by::int, p.merge_style, i.state, i.closed_at IS NOT NULL AS closed
       FROM pull_requests p JOIN issues i ON i.id = p.issue_id WHERE i.id = $1`,
    [pullRequest.id],
  );
  expect(rows).toEqual([
    { status: 'merged', has_merged: true, merged_by: author.id, merge_style: 'merge', state: 'closed', closed: true },
  ]);
  const outbox = await platform.admin.query(
    `SELECT payload FROM collaboration.outbox WHERE subject = $1 AND aggregate_id = $2`,
    ['plue.collaboration.pull_request.merged', String(pullRequest.id)],
  );
  expect(outbox.rows).toHaveLength(1);
  expect(outbox.rows[0].payload).toMatchObject({
    issueId: pullRequest.id,
    repoId,
    issueNumber: pullRequest.number,
    baseBranch: 'main',
    headBranch: 'feature',
    headCommitSha,
    mergedCommitSha: headCommitSha,
    mergeStyle: 'merge',
    mergedBy: author.id,
  });

  // A merged pull request is not merged twice.
  const again = await platform.callExpectingError('plue.rpc.collaboration.pull_request.merge', merge);
  expect(again.code).toBe('conflict');
});

it('stops counting an approval once a push moves the head, when the rule dismisses stale approvals', async () => {
  const author = await insertUser(platform.admin);
  const reviewer = await insertUser(platform.admin);
  const { repoId, headCommitSha, pullRequest } = await repositoryWithPullRequest(author);
  await platform.call('plue.rpc.git.protected_branch.upsert', {
    repoId,
    ruleName: 'main',
    requiredApprovals: 1,
    dismissStaleApprovals: true,
  });
  await grant(repoId, reviewer, 'write');
  const approve = () =>
    platform.call('plue.rpc.collaboration.review.submit', {
      repoId,
      number: pullRequest.number,
      reviewerId: reviewer.id as number,
      state: 'approved',
    });
  await approve();

  // A new commit on the head branch: collaboration consumes plue.git.branch.pushed and moves the head.
  const newHead = sha(unique('feature again'));
  await platform.call('plue.rpc.git.branch.push', {
    repoId,
    branch: 'feature',
    headCommitSha: newHead,
    pusherId: author.id as number,
  });
  await eventually(async () => {
    const current = await platform.call<PullRequest>('plue.rpc.collaboration.pull_request.get', {
      repoId,
      number: pullRequest.number,
    });
    return current.headCommitSha === newHead ? true : undefined;
  });
  expect(await handledEvents(platform.admin, 'collaboration', ['plue.git.branch.pushed'])).toBeGreaterThan(0);

  const merge = { repoId, number: pullRequest.number, mergerId: author.id as number };
  const refused = await platform.callExpectingError('plue.rpc.collaboration.pull_request.merge', merge);
  expect(refused).toMatchObject({
    code: 'precondition_failed',
    details: { unmet: [{ requirement: 'approvals', required: 1, actual: 0, ignoredApproverIds: [] }] },
  });

  await approve();
  const merged = await platform.call<PullRequest>('plue.rpc.collaboration.pull_request.merge', merge);
  expect(merged).toMatchObject({ hasMerged: true, headCommitSha: newHead, mergedCommitSha: newHead });
  expect(merged.mergedCommitSha).not.toBe(headCommitSha);
});

it('counts no approval from a user without write access, and lets no such user merge', async () => {
  const author = await insertUser(platform.admin);
  const stranger = await insertUser(platform.admin);
  const { repoId, pullRequest } = await repositoryWithPullRequest(author);
  await platform.call('plue.rpc.git.protected_branch.upsert', { repoId, ruleName: 'main', requiredApprovals: 1 });

  // Anyone may review a public repository, but a stranger's approval does not count.
  await platform.call('plue.rpc.collaboration.review.submit', {
    repoId,
    number: pullRequest.number,
    reviewerId: stranger.id as number,
    state: 'approved',
  });
  const notCounted = { requirement: 'approvals', required: 1, actual: 0, ignoredApproverIds: [stranger.id] };
  const byAuthor = { repoId, number: pullRequest.number, mergerId: author.id as number };
  const byStranger = { repoId, number: pullRequest.number, mergerId: stranger.id as number };
  expect(await platform.callExpectingError('plue.rpc.collaboration.pull_request.merge', byAuthor)).toMatchObject({
    code: 'precondition_failed',
    details: { unmet: [notCounted] },
  });
  // Nor may the stranger merge; read access changes neither.
  expect(await platform.callExpectingError('plue.rpc.collaboration.pull_request.merge', byStranger)).toMatchObject({
    code: 'precondition_failed',
    details: { unmet: [{ requirement: 'merge_permission', mergerId: stranger.id }, notCounted] },
  });
  await grant(repoId, stranger, 'read');
  expect(
    (await platform.callExpectingError('plue.rpc.collaboration.pull_request.merge', byStranger)).details.unmet,
  ).toEqual([{ requirement: 'merge_permission', mergerId: stranger.id }, notCounted]);
  expect(
    await count('SELECT count(*)::int AS n FROM pull_requests WHERE issue_id = $1 AND has_merged', [pullRequest.id]),
  ).toBe(0);

  // Permissions are judged at merge time: once granted write, the same approval counts and its giver may merge.
  await grant(repoId, stranger, 'write');
  const merged = await platform.call<PullRequest>('plue.rpc.collaboration.pull_request.merge', byStranger);
  expect(merged).toMatchObject({ hasMerged: true, mergedBy: stranger.id });
});

it('merges into a branch no rule protects, for a user with write access only', async () => {
  const author = await insertUser(platform.admin);
  const stranger = await insertUser(platform.admin);
  const { repoId, pullRequest } = await repositoryWithPullRequest(author);
  // A rule on another branch does not protect main.
  await platform.call('plue.rpc.git.protected_branch.upsert', { repoId, ruleName: 'release/*', requiredApprovals: 2 });

  const refused = await platform.callExpectingError('plue.rpc.collaboration.pull_request.merge', {
    repoId,
    number: pullRequest.number,
    mergerId: stranger.id as number,
  });
  expect(refused).toMatchObject({
    code: 'precondition_failed',
    details: { rule: null, unmet: [{ requirement: 'merge_permission', mergerId: stranger.id }] },
  });

  const merged = await platform.call<PullRequest>('plue.rpc.collaboration.pull_request.merge', {
    repoId,
    number: pullRequest.number,
    mergerId: author.id as number,
    mergeStyle: 'squash',
  });
  expect(merged).toMatchObject({ hasMerged: true, state: 'closed', mergedBy: author.id });
});

it('answers an invalid merge request with validation_failed naming the field, and writes nothing', async () => {
  const author = await insertUser(platform.admin);
  const { repoId, pullRequest } = await repositoryWithPullRequest(author);
  const before = {
    merged: await count('SELECT count(*)::int AS n FROM pull_requests WHERE has_merged', []),
    events: await count('SELECT count(*)::int AS n FROM issue_events', []),
    outbox: await count('SELECT count(*)::int AS n FROM collaboration.outbox', []),
  };

  const invalid = await platform.callExpectingError('plue.rpc.collaboration.pull_request.merge', {
    repoId,
    number: pullRequest.number,
    mergerId: author.id as number,
    mergeStyle: 'octopus',
  });
  expect(invalid.code).toBe('validation_failed');
  expect(invalid.details.issues).toEqual([expect.objectContaining({ field: 'mergeStyle' })]);
  const missingMerger = await platform.callExpectingError('plue.rpc.collaboration.pull_request.merge', {
    repoId,
    number: pullRequest.number,
  });
  expect(missingMerger.details.issues).toEqual([expect.objectContaining({ field: 'mergerId' })]);

  expect({
    merged: await count('SELECT count(*)::int AS n FROM pull_requests WHERE has_merged', []),
    events: await count('SELECT count(*)::int AS n FROM issue_events', []),
    outbox: await count('SELECT count(*)::int AS n FROM collaboration.outbox', []),
  }).toEqual(before);
});
