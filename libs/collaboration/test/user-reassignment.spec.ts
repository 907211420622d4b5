import { useTestDatabase } from '@plue/testing';
import { ValidationError } from '@plue/db';
import {
  CommentsDao,
  IssueAssigneesDao,
  IssuesDao,
  PullRequestsDao,
  ReactionsDao,
  ReviewCommentsDao,
  ReviewsDao,
  UserReassignmentDao,
} from '../src';
import { countRows, openWorld, repository, user, type World } from './fixtures';

const database = useTestDatabase();
let world: World;

beforeAll(async () => {
  world = await openWorld(database());
});
afterAll(() => world.db.destroy());

describe('UserReassignmentDao.reassignUser', () => {
  it('hands every collaboration row of a user to the ghost, merging duplicates, so the user can be deleted', async () => {
    const repo = await repository(world.admin);
    const leaving = await user(world.admin);
    const ghost = await user(world.admin);
    const db = world.db;
    const issue = await new IssuesDao(db).create({
      repoId: repo.id,
      authorId: leaving.id,
      title: 'Mine',
      body: `@${leaving.username} @${ghost.username}`,
      assigneeIds: [leaving.id, ghost.id],
    });
    const comment = await new CommentsDao(db).create({
      issueId: issue.id,
      authorId: leaving.id,
      body: `self @${leaving.username}`,
    });
    const reactions = new ReactionsDao(db);
    await reactions.add({ targetType: 'issue', targetId: issue.id, userId: leaving.id, content: '+1' });
    await reactions.add({ targetType: 'issue', targetId: issue.id, userId: ghost.id, content: '+1' });
    await reactions.add({ targetType: 'comment', targetId: comment.id, userId: leaving.id, content: 'heart' });
    const { issue: pull } = await new PullRequestsDao(db).create({
      repoId: repo.id,
      authorId: ghost.id,
      title: 'PR',
      baseBranch: 'main',
      headBranch: 'x',
    });
    const reviews = new ReviewsDao(db);
    const submitted = await reviews.create({ issueId: pull.id, reviewerId: leaving.id, state: 'approved' });
    const draft = await reviews.create({ issueId: pull.id, reviewerId: leaving.id });
    const rc = await new ReviewCommentsDao(db).create({
      reviewId: submitted.id,
      authorId: leaving.id,
      path: 'a',
      body: 'hm',
    });
    await new ReviewCommentsDao(db).resolve(rc.id, leaving.id);
    await new PullRequestsDao(db).merge({
      issueId: pull.id,
      mergedBy: leaving.id,
      mergedCommitId: 'a'.repeat(40),
      mergeStyle: 'merge',
    });

    const counts = await new UserReassignmentDao(db).reassignUser(leaving.id, ghost.id);
    expect(counts).toMatchObject({
      'issues.author_id': 1,
      'comments.author_id': 1,
      'pull_requests.merged_by': 1,
      'reviews.reviewer_id': 1,
      'review_comments.author_id': 1,
      'review_comments.resolved_by_id': 1,
      'issue_assignees.user_id': 0,
      'reactions.user_id': 1,
      'reactions.merged': 1,
      'mentions.user_id': 1,
      'mentions.merged': 1,
      'reviews.pending_deleted': 1,
    });
    expect(counts['issue_events.actor_id']).toBeGreaterThan(0);
    expect(await reviews.getById(draft.id)).toBeNull();
    expect((await new IssueAssigneesDao(db).list(issue.id)).map((a) => a.userId)).toEqual([ghost.id]);
    expect((await reactions.summary('issue', issue.id)).counts).toEqual({ '+1': 1 });

    const columns = [
      ['issues', 'author_id'],
      ['comments', 'author_id'],
      ['pull_requests', 'merged_by'],
      ['reviews', 'reviewer_id'],
      ['review_comments', 'author_id'],
      ['review_comments', 'resolved_by_id'],
      ['issue_events', 'actor_id'],
      ['issue_assignees', 'user_id'],
      ['reactions', 'user_id'],
      ['mentions', 'user_id'],
    ];
    for (const [table, column] of columns)
      expect([table, await countRows(world.admin, table, `${column} = $1`, [leaving.id])]).toEqual([table, 0]);
    await world.admin.query('DELETE FROM users WHERE id = $1', [leaving.id]);
  });

  it('refuses reassigning a user to themself, and an unknown target user, changing nothing', async () => {
    const repo = await repository(world.admin);
    const someone = await user(world.admin);
    await new IssuesDao(world.db).create({ repoId: repo.id, authorId: someone.id, title: 'Stays' });
    const dao = new UserReassignmentDao(world.db);
    await expect(dao.reassignUser(someone.id, someone.id)).rejects.toBeInstanceOf(ValidationError);
    await expect(dao.reassignUser(someone.id, 987654321)).rejects.toMatchObject({ code: 'missing_reference' });
    expect(await countRows(world.admin, 'issues', 'author_id = $1', [someone.id])).toBe(1);
  });
});
