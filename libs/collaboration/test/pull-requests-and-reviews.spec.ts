import { useTestDatabase } from '@plue/testing';
import { ConflictError, InvalidValueError, NotFoundError, ValidationError } from '@plue/db';
import { IssueEventsDao, IssuesDao, PullRequestsDao, ReviewCommentsDao, ReviewsDao } from '../src';
import { collaborationRowCounts, openWorld, repository, user, type World } from './fixtures';

const database = useTestDatabase();
let world: World;
let pulls: PullRequestsDao;
let reviews: ReviewsDao;

const SHA = (n: number) => n.toString(16).padStart(40, '0');

beforeAll(async () => {
  world = await openWorld(database());
  pulls = new PullRequestsDao(world.db);
  reviews = new ReviewsDao(world.db);
});
afterAll(() => world.db.destroy());

async function newPull() {
  const repo = await repository(world.admin);
  const author = await user(world.admin);
  const { issue, pullRequest } = await pulls.create({
    repoId: repo.id,
    authorId: author.id,
    title: 'Add feature',
    baseBranch: 'main',
    headBranch: 'feature/x',
    headCommitId: SHA(1),
  });
  return { repo, author, issue, pullRequest };
}

describe('PullRequestsDao', () => {
  it('shares the numbering with issues and writes issue + pull request in one transaction', async () => {
    const repo = await repository(world.admin);
    const author = await user(world.admin);
    const first = await new IssuesDao(world.db).create({ repoId: repo.id, authorId: author.id, title: 'An issue' });
    const { issue, pullRequest } = await pulls.create({
      repoId: repo.id,
      authorId: author.id,
      title: 'A PR',
      baseBranch: 'main',
      headBranch: 'dev',
    });
    const third = await new IssuesDao(world.db).create({
      repoId: repo.id,
      authorId: author.id,
      title: 'Another issue',
    });
    expect([first.issueNumber, issue.issueNumber, third.issueNumber]).toEqual([1, 2, 3]);
    expect(issue.isPull).toBe(true);
    expect(pullRequest).toMatchObject({
      issueId: issue.id,
      baseRepoId: repo.id,
      headRepoId: repo.id,
      status: 'checking',
      hasMerged: false,
    });
    expect(await pulls.getByNumber(repo.id, 2)).toMatchObject({
      issue: { id: issue.id },
      pullRequest: { id: pullRequest.id },
    });
    expect(await pulls.getByNumber(repo.id, 1)).toBeNull();
  });

  it('refuses bad branches or identical head and base, burning no number and writing nothing', async () => {
    const repo = await repository(world.admin);
    const author = await user(world.admin);
    const before = await collaborationRowCounts(world.admin);
    for (const bad of [
      { baseBranch: 'main', headBranch: 'main' },
      { baseBranch: 'ma..in', headBranch: 'x' },
      { baseBranch: 'main', headBranch: 'bad branch' },
      { baseBranch: 'main', headBranch: 'x', headCommitId: 'abc' },
    ]) {
      await expect(pulls.create({ repoId: repo.id, authorId: author.id, title: 'PR', ...bad })).rejects.toBeInstanceOf(
        ValidationError,
      );
    }
    // A head repository that does not exist fails in the database, after the number was taken.
    await expect(
      pulls.create({
        repoId: repo.id,
        authorId: author.id,
        title: 'PR',
        baseBranch: 'main',
        headBranch: 'x',
        headRepoId: 987654321,
      }),
    ).rejects.toMatchObject({ code: 'missing_reference', details: { constraint: 'pull_requests_head_repo_id_fkey' } });
    expect(await collaborationRowCounts(world.admin)).toEqual(before);
    const ok = await pulls.create({
      repoId: repo.id,
      authorId: author.id,
      title: 'PR',
      baseBranch: 'main',
      headBranch: 'x',
    });
    expect(ok.issue.issueNumber).toBe(1);
  });

  it('merges: marks the merge, closes the issue, records merged and closed; a second merge conflicts', async () => {
    const { issue } = await newPull();
    const merger = await user(world.admin);
    const merged = await pulls.merge({
      issueId: issue.id,
      mergedBy: merger.id,
      mergedCommitId: SHA(2),
      mergeStyle: 'squash',
    });
    expect(merged.pullRequest).toMatchObject({
      status: 'merged',
      hasMerged: true,
      mergedBy: merger.id,
      mergedCommitId: SHA(2),
      mergeStyle: 'squash',
    });
    expect(merged.pullRequest.mergedAt).toBeInstanceOf(Date);
    expect(merged.issue).toMatchObject({ state: 'closed' });
    expect(merged.issue.closedAt).toBeInstanceOf(Date);
    const events = await new IssueEventsDao(world.db).listForIssue(issue.id);
    expect(events.map((e) => [e.eventType, e.actorId])).toEqual([
      ['opened', issue.authorId],
      ['merged', merger.id],
      ['closed', merger.id],
    ]);
    await expect(
      pulls.merge({ issueId: issue.id, mergedBy: merger.id, mergedCommitId: SHA(3), mergeStyle: 'merge' }),
    ).rejects.toBeInstanceOf(ConflictError);
    await expect(new IssuesDao(world.db).update(issue.id, { state: 'open' })).rejects.toThrow(
      /merged and cannot be reopened/,
    );
    expect((await new IssuesDao(world.db).getById(issue.id))?.state).toBe('closed');
  });

  it('does not merge a closed pull request or a plain issue', async () => {
    const { issue, author } = await newPull();
    await new IssuesDao(world.db).update(issue.id, { state: 'closed' });
    await expect(
      pulls.merge({ issueId: issue.id, mergedBy: author.id, mergedCommitId: SHA(4), mergeStyle: 'merge' }),
    ).rejects.toBeInstanceOf(ConflictError);
    const plain = await new IssuesDao(world.db).create({ repoId: issue.repoId, authorId: author.id, title: 'plain' });
    await expect(
      pulls.merge({ issueId: plain.id, mergedBy: author.id, mergedCommitId: SHA(4), mergeStyle: 'merge' }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('a new head marks earlier verdicts stale and restarts the mergeability check', async () => {
    const { issue } = await newPull();
    const reviewer = await user(world.admin);
    await reviews.create({ issueId: issue.id, reviewerId: reviewer.id, state: 'approved', commitId: SHA(1) });
    await pulls.setMergeability(issue.id, 'mergeable', SHA(9));
    const moved = await pulls.updateHead(issue.id, SHA(5));
    expect(moved).toMatchObject({ headCommitId: SHA(5), status: 'checking', mergeBase: SHA(9) });
    expect(await reviews.countApprovals(issue.id)).toBe(1);
    expect(await reviews.countApprovals(issue.id, { excludeStale: true })).toBe(0);
  });

  it('lists the open pull requests whose head is a branch: not merged, closed or of another branch', async () => {
    const { repo, author, issue } = await newPull();
    const open = async (headBranch: string) =>
      (await pulls.create({ repoId: repo.id, authorId: author.id, title: headBranch, baseBranch: 'main', headBranch }))
        .issue;
    const second = await open('feature/x');
    const merged = await open('feature/x');
    await pulls.merge({ issueId: merged.id, mergedBy: author.id, mergedCommitId: SHA(2), mergeStyle: 'merge' });
    const closed = await open('feature/x');
    await new IssuesDao(world.db).update(closed.id, { state: 'closed' });
    await open('feature/y');

    const found = await pulls.listOpenByHead(repo.id, 'feature/x');
    expect(found.map((pullRequest) => pullRequest.issueId)).toEqual([issue.id, second.id]);
    expect(await pulls.listOpenByHead(repo.id, 'nothing')).toEqual([]);
    await expect(pulls.listOpenByHead(repo.id, 'bad..name')).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('ReviewsDao', () => {
  it('keeps one pending review per reviewer, submits it, and refuses to submit twice', async () => {
    const { issue } = await newPull();
    const reviewer = await user(world.admin);
    const draft = await reviews.create({ issueId: issue.id, reviewerId: reviewer.id });
    expect(draft).toMatchObject({ state: 'pending', submittedAt: null });
    await expect(reviews.create({ issueId: issue.id, reviewerId: reviewer.id })).rejects.toMatchObject({
      code: 'conflict',
      details: { constraint: 'reviews_issue_id_reviewer_id_pending_key' },
    });
    const submitted = await reviews.submit(draft.id, { state: 'approved', body: 'LGTM' });
    expect(submitted).toMatchObject({ state: 'approved', body: 'LGTM' });
    expect(submitted.submittedAt).toBeInstanceOf(Date);
    await expect(reviews.submit(draft.id, { state: 'commented' })).rejects.toBeInstanceOf(ConflictError);
    const events = await new IssueEventsDao(world.db).listForIssue(issue.id);
    expect(events.at(-1)).toMatchObject({
      eventType: 'reviewed',
      actorId: reviewer.id,
      payload: { reviewId: draft.id, state: 'approved' },
    });
  });

  it("counts approvals by each reviewer's latest verdict; comments do not change it, dismissals withdraw it", async () => {
    const { issue } = await newPull();
    const [ann, ben, cid, dee] = [
      await user(world.admin),
      await user(world.admin),
      await user(world.admin),
      await user(world.admin),
    ];
    const verdict = (reviewerId: number, state: 'approved' | 'changes_requested' | 'commented', official = true) =>
      reviews.create({ issueId: issue.id, reviewerId, state, official });

    await verdict(ann.id, 'approved');
    await verdict(ann.id, 'approved');
    expect(await reviews.countApprovals(issue.id)).toBe(1);
    await verdict(ben.id, 'changes_requested');
    expect(await reviews.hasChangesRequested(issue.id)).toBe(true);
    await verdict(ben.id, 'commented');
    expect(await reviews.hasChangesRequested(issue.id)).toBe(true);
    await verdict(ben.id, 'approved');
    expect(await reviews.hasChangesRequested(issue.id)).toBe(false);
    expect(await reviews.countApprovals(issue.id)).toBe(2);

    const cidApproval = await verdict(cid.id, 'approved');
    const cidLater = await verdict(cid.id, 'approved');
    expect(await reviews.countApprovals(issue.id)).toBe(3);
    await reviews.dismiss(cidLater.id, ann.id, 'outdated');
    expect(await reviews.countApprovals(issue.id)).toBe(2);
    expect(cidApproval.state).toBe('approved');

    await verdict(dee.id, 'approved', false);
    expect(await reviews.countApprovals(issue.id)).toBe(3);
    expect(await reviews.countApprovals(issue.id, { officialOnly: true })).toBe(2);

    await verdict(ann.id, 'changes_requested');
    expect(await reviews.countApprovals(issue.id)).toBe(2);
    expect(await reviews.hasChangesRequested(issue.id)).toBe(true);
    const dismissed = (await new IssueEventsDao(world.db).listForIssue(issue.id)).find(
      (e) => e.eventType === 'review_dismissed',
    );
    expect(dismissed).toMatchObject({
      actorId: ann.id,
      payload: { reviewId: cidLater.id, reviewerId: cid.id, reason: 'outdated' },
    });
  });

  it('lists the reviewers by current verdict, ascending: approvers, stale approvers and change requesters', async () => {
    const { issue } = await newPull();
    const [ann, ben, cid, dee, eve] = [
      await user(world.admin),
      await user(world.admin),
      await user(world.admin),
      await user(world.admin),
      await user(world.admin),
    ];
    const verdict = (reviewerId: number, state: 'approved' | 'changes_requested' | 'commented') =>
      reviews.create({ issueId: issue.id, reviewerId, state, commitId: SHA(1) });
    expect(await reviews.currentVerdicts(issue.id)).toEqual({ approverIds: [], staleApproverIds: [], rejecterIds: [] });

    await verdict(cid.id, 'approved');
    await verdict(ben.id, 'changes_requested'); // stays a change request when the head moves
    await verdict(eve.id, 'changes_requested');
    await pulls.updateHead(issue.id, SHA(2));
    await verdict(dee.id, 'approved');
    await verdict(ann.id, 'approved');
    await verdict(ann.id, 'commented'); // a comment does not change a verdict
    const eveLater = await verdict(eve.id, 'approved');
    expect(await reviews.currentVerdicts(issue.id)).toEqual({
      approverIds: [ann.id, dee.id, eve.id].sort((a, b) => a - b),
      staleApproverIds: [cid.id],
      rejecterIds: [ben.id],
    });

    await reviews.dismiss(eveLater.id, ann.id); // a dismissed verdict is in no list
    expect((await reviews.currentVerdicts(issue.id)).approverIds).toEqual([ann.id, dee.id].sort((a, b) => a - b));
    await expect(reviews.currentVerdicts(0)).rejects.toBeInstanceOf(ValidationError);
  });

  it('dismisses only submitted reviews, deletes only pending ones, and reviews only pull requests', async () => {
    const { issue, author } = await newPull();
    const reviewer = await user(world.admin);
    const draft = await reviews.create({ issueId: issue.id, reviewerId: reviewer.id });
    await expect(reviews.dismiss(draft.id, author.id)).rejects.toBeInstanceOf(ConflictError);
    expect(await reviews.deletePending(draft.id)).toBe(true);
    const done = await reviews.create({ issueId: issue.id, reviewerId: reviewer.id, state: 'commented' });
    expect(await reviews.deletePending(done.id)).toBe(false);
    await reviews.dismiss(done.id, author.id);
    await expect(reviews.dismiss(done.id, author.id)).rejects.toBeInstanceOf(ConflictError);
    const plain = await new IssuesDao(world.db).create({ repoId: issue.repoId, authorId: author.id, title: 'plain' });
    await expect(reviews.create({ issueId: plain.id, reviewerId: reviewer.id })).rejects.toBeInstanceOf(
      InvalidValueError,
    );
    await expect(
      reviews.create({ issueId: issue.id, reviewerId: reviewer.id, state: 'dismissed' } as never),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('ReviewCommentsDao', () => {
  it('threads replies to the root, copies the position, and resolves the thread as a whole', async () => {
    const { issue, author } = await newPull();
    const reviewer = await user(world.admin);
    const comments = new ReviewCommentsDao(world.db);
    const review = await reviews.create({ issueId: issue.id, reviewerId: reviewer.id });
    const root = await comments.create({
      reviewId: review.id,
      authorId: reviewer.id,
      path: 'src/a.ts',
      line: 10,
      body: 'Why?',
      commitId: SHA(1),
    });
    expect(root).toMatchObject({ issueId: issue.id, side: 'right', inReplyToId: null });
    const reply = await comments.reply({ inReplyToId: root.id, authorId: author.id, body: 'Because.' });
    const replyToReply = await comments.reply({
      inReplyToId: reply.id,
      authorId: reviewer.id,
      body: 'OK',
      reviewId: review.id,
    });
    expect(reply).toMatchObject({ inReplyToId: root.id, path: 'src/a.ts', line: 10, commitId: SHA(1) });
    expect(replyToReply).toMatchObject({ inReplyToId: root.id, reviewId: review.id });
    // The author's reply outside a review became a single-comment review of their own.
    expect(await reviews.getById(reply.reviewId)).toMatchObject({ reviewerId: author.id, state: 'commented' });

    const resolved = await comments.resolve(replyToReply.id, author.id);
    expect(resolved).toMatchObject({ id: root.id, resolvedById: author.id });
    expect((await comments.unresolve(root.id)).resolvedAt).toBeNull();

    const fileComment = await comments.create({
      reviewId: review.id,
      authorId: reviewer.id,
      path: 'README.md',
      body: 'Whole file',
    });
    const threads = await comments.listThreads(issue.id);
    expect(threads.map((t) => [t.root.id, t.replies.map((r) => r.id)])).toEqual([
      [fileComment.id, []],
      [root.id, [reply.id, replyToReply.id]],
    ]);

    expect((await comments.updateBody(reply.id, 'Because of X.')).body).toBe('Because of X.');
    expect(await comments.delete(root.id)).toBe(true);
    expect(await comments.getById(reply.id)).toBeNull();
  });

  it('refuses a review of another pull request, bad positions and blank bodies', async () => {
    const first = await newPull();
    const second = await newPull();
    const comments = new ReviewCommentsDao(world.db);
    const reviewer = await user(world.admin);
    const review = await reviews.create({ issueId: first.issue.id, reviewerId: reviewer.id });
    const otherReview = await reviews.create({ issueId: second.issue.id, reviewerId: reviewer.id });
    const root = await comments.create({ reviewId: review.id, authorId: reviewer.id, path: 'a', line: 1, body: 'x' });
    await expect(
      comments.reply({ inReplyToId: root.id, authorId: reviewer.id, body: 'y', reviewId: otherReview.id }),
    ).rejects.toMatchObject({
      code: 'missing_reference',
      details: { constraint: 'review_comments_review_id_fkey' },
    });
    for (const bad of [{ line: 0 }, { path: '' }, { body: ' ' }, { side: 'middle' }]) {
      await expect(
        comments.create({ reviewId: review.id, authorId: reviewer.id, path: 'a', body: 'x', ...bad } as never),
      ).rejects.toBeInstanceOf(ValidationError);
    }
    await expect(comments.resolve(987654321, reviewer.id)).rejects.toBeInstanceOf(NotFoundError);
  });
});
