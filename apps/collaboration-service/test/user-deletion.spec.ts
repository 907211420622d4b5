import { jetstreamManager } from '@nats-io/jetstream';
import { CollaborationUserContentReassigned, UserDeleted } from '@plue/contracts';
import { publishThroughOutbox, redeliverLast } from '@plue/messaging/testing';
import { type ReadinessReport } from '@plue/service-kit';
import { insertIssue, insertRepository, insertUser } from '@plue/testing';
import { eventually } from './collaboration-service-process';
import { useCollaborationService } from './service-under-test';

// DESIGN §4 flow 6 as collaboration-service sees it: plue.auth.user.deleted (published here the way
// auth-service publishes it) hands the user's collaboration content to the ghost, then
// plue.collaboration.user_content.reassigned.

const collaboration = useCollaborationService({ LOG_LEVEL: 'debug' });

async function rows(sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  const { admin } = collaboration();
  return (await admin.query(sql, params)).rows;
}

async function insert(sql: string, params: unknown[]): Promise<number> {
  return Number((await rows(`${sql} RETURNING id`, params))[0].id);
}

/** How many confirmations for `userId` JetStream holds. */
async function storedConfirmations(userId: number): Promise<number> {
  const { nats: connection } = collaboration();
  const jsm = await jetstreamManager(connection);
  const info = await jsm.streams.info('PLUE_COLLABORATION');
  let found = 0;
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq += 1) {
    const message = await jsm.streams.getMessage('PLUE_COLLABORATION', { seq }).catch(() => null);
    if (message?.subject !== CollaborationUserContentReassigned.subject) continue;
    const payload = message.json<{ userId: number; ghostUserId: number }>();
    if (payload.userId === userId) found += 1;
  }
  return found;
}

async function consumerDuplicates(): Promise<number> {
  const { healthPort } = collaboration();
  const report = (await (await fetch(`http://127.0.0.1:${healthPort}/health/ready`)).json()) as ReadinessReport;
  const consumers = report.checks.messaging.consumers as { subject: string; duplicates: number }[];
  return consumers.find((consumer) => consumer.subject === UserDeleted.subject)!.duplicates;
}

/** updated_at of every row of the scenario, to prove the hand-over is bookkeeping. */
async function updatedAts(ids: Record<'issue' | 'pull' | 'comment' | 'review' | 'reviewComment', number>) {
  const [row] = await rows(
    `SELECT (SELECT updated_at FROM issues WHERE id = $1)::text AS issue,
            (SELECT updated_at FROM pull_requests WHERE issue_id = $2)::text AS pull,
            (SELECT updated_at FROM comments WHERE id = $3)::text AS comment,
            (SELECT updated_at FROM reviews WHERE id = $4)::text AS review,
            (SELECT updated_at FROM review_comments WHERE id = $5)::text AS review_comment`,
    [ids.issue, ids.pull, ids.comment, ids.review, ids.reviewComment],
  );
  return row;
}

it("hands a deleted user's issues, comments, reviews, merges and reactions to the ghost, and confirms once", async () => {
  const { admin, nats: connection, database } = collaboration();
  const ghost = await insertUser(admin, { username: 'ghost', prohibit_login: true });
  const leaving = await insertUser(admin);
  const [ghostId, userId] = [ghost.id as number, leaving.id as number];
  const repository = await insertRepository(admin);

  const issue = await insertIssue(admin, repository, { author_id: userId });
  const issueId = issue.id as number;
  const comment = await insert('INSERT INTO comments (issue_id, author_id, body) VALUES ($1, $2, $3)', [
    issueId,
    userId,
    'mine',
  ]);
  const pull = (await insertIssue(admin, repository, { is_pull: true })).id as number;
  await admin.query(
    `INSERT INTO pull_requests (issue_id, base_repo_id, base_branch, head_repo_id, head_branch, status, has_merged,
                                merged_at, merged_by, merged_commit_id, merge_style)
     VALUES ($1, $2, 'main', $2, 'topic', 'merged', true, now(), $3, $4, 'merge')`,
    [pull, repository.id, userId, 'a'.repeat(40)],
  );
  const review = await insert(
    "INSERT INTO reviews (issue_id, reviewer_id, state, submitted_at) VALUES ($1, $2, 'approved', now())",
    [pull, userId],
  );
  const pending = await insert('INSERT INTO reviews (issue_id, reviewer_id) VALUES ($1, $2)', [pull, userId]);
  const reviewComment = await insert(
    `INSERT INTO review_comments (review_id, issue_id, author_id, path, body, resolved_by_id, resolved_at)
     VALUES ($1, $2, $3, 'src/a.ts', 'nit', $3, now())`,
    [review, pull, userId],
  );
  await admin.query("INSERT INTO issue_events (issue_id, actor_id, event_type) VALUES ($1, $2, 'closed')", [
    issueId,
    userId,
  ]);
  await admin.query('INSERT INTO issue_assignees (issue_id, user_id) VALUES ($1, $2), ($1, $3)', [
    issueId,
    userId,
    ghostId,
  ]);
  await admin.query(
    "INSERT INTO reactions (user_id, target_type, target_id, content) VALUES ($1, 'issue', $3, '+1'), ($2, 'issue', $3, '+1'), ($1, 'comment', $4, 'heart')",
    [userId, ghostId, issueId, comment],
  );
  await admin.query("INSERT INTO mentions (target_type, target_id, user_id) VALUES ('issue', $1, $2)", [
    issueId,
    userId,
  ]);
  const before = await updatedAts({ issue: issueId, pull, comment, review, reviewComment });

  // Published the way auth-service does (aggregate: the user).
  const payload = { userId, username: String(leaving.username), ghostUserId: ghostId };
  await publishThroughOutbox(database.url, connection, 'auth', [
    { subject: UserDeleted.subject, aggregateId: userId, payload },
  ]);
  await eventually(async () => ((await storedConfirmations(userId)) === 1 ? true : undefined));

  expect(
    (
      await rows(
        `SELECT (SELECT author_id FROM issues WHERE id = $1)::int AS issue_author,
                (SELECT author_id FROM comments WHERE id = $2)::int AS comment_author,
                (SELECT merged_by FROM pull_requests WHERE issue_id = $3)::int AS merged_by,
                (SELECT reviewer_id FROM reviews WHERE id = $4)::int AS reviewer,
                (SELECT author_id FROM review_comments WHERE id = $5)::int AS review_comment_author,
                (SELECT resolved_by_id FROM review_comments WHERE id = $5)::int AS resolver,
                (SELECT actor_id FROM issue_events WHERE issue_id = $1 AND event_type = 'closed')::int AS actor,
                (SELECT array_agg(user_id ORDER BY user_id) FROM issue_assignees WHERE issue_id = $1)::int[] AS assignees,
                (SELECT array_agg(user_id) FROM reactions WHERE target_type = 'issue' AND target_id = $1)::int[] AS issue_reactions,
                (SELECT array_agg(user_id) FROM reactions WHERE target_type = 'comment' AND target_id = $2)::int[] AS comment_reactions,
                (SELECT array_agg(user_id) FROM mentions WHERE target_type = 'issue' AND target_id = $1)::int[] AS mentions,
                (SELECT count(*) FROM reviews WHERE id = $6)::int AS pending_reviews`,
        [issueId, comment, pull, review, reviewComment, pending],
      )
    )[0],
  ).toEqual({
    issue_author: ghostId,
    comment_author: ghostId,
    merged_by: ghostId,
    reviewer: ghostId,
    review_comment_author: ghostId,
    resolver: ghostId,
    actor: ghostId,
    assignees: [ghostId],
    issue_reactions: [ghostId],
    comment_reactions: [ghostId],
    mentions: [ghostId],
    pending_reviews: 0,
  });
  expect(await updatedAts({ issue: issueId, pull, comment, review, reviewComment })).toEqual(before);
  // Nothing in collaboration's tables blocks deleting the user now.
  await admin.query('DELETE FROM users WHERE id = $1', [userId]);

  // The same event delivered again (a new message id, so the stream keeps it): the inbox drops it.
  const duplicatesBefore = await consumerDuplicates();
  await redeliverLast(connection, 'PLUE_AUTH', UserDeleted.subject);
  await eventually(async () => ((await consumerDuplicates()) > duplicatesBefore ? true : undefined));
  expect(await storedConfirmations(userId)).toBe(1);
  expect(await rows('SELECT count(*)::int AS n FROM collaboration.dead_letters')).toEqual([{ n: 0 }]);
});
