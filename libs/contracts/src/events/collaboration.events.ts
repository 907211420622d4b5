import { z } from 'zod';
import { defineEvent } from '../event-contract';
import { branchName, commitSha, id, timestamp } from '../event-payload-fields';

/** Users mentioned in a text (`@name`), resolved to ids by collaboration; agent triggers on them (flow 5). */
const mentionedUserIds = () => z.array(id()).max(1000);

/** An issue (or a pull request: an issue with a pull_requests row) was opened. */
export const IssueOpened = defineEvent({
  subject: 'plue.collaboration.issue.opened',
  version: 1,
  aggregateType: 'issue',
  payload: z.object({
    issueId: id(),
    repoId: id(),
    issueNumber: id(),
    authorId: id(),
    title: z.string().min(1).max(255),
    isPullRequest: z.boolean(),
    mentionedUserIds: mentionedUserIds(),
  }),
});

/** A comment was added to an issue or pull request; the aggregate is the issue, so comments keep their order. */
export const CommentCreated = defineEvent({
  subject: 'plue.collaboration.comment.created',
  version: 1,
  aggregateType: 'issue',
  payload: z.object({
    commentId: id(),
    issueId: id(),
    repoId: id(),
    issueNumber: id(),
    authorId: id(),
    body: z.string().max(65_536),
    mentionedUserIds: mentionedUserIds(),
  }),
});

/**
 * collaboration handed a deleted user's content to the ghost account (flow 6): issues, comments,
 * merges, reviews, review comments and their resolutions, timeline events, assignments, reactions
 * and mentions (duplicates of the ghost's own rows and the user's pending reviews are dropped).
 * Nothing in collaboration's tables blocks deleting the user any more; auth deletes the row once
 * git has confirmed too.
 */
export const CollaborationUserContentReassigned = defineEvent({
  subject: 'plue.collaboration.user_content.reassigned',
  version: 1,
  aggregateType: 'user',
  payload: z.object({
    userId: id(),
    ghostUserId: id(),
  }),
});

/**
 * A pull request was merged (its base branch's protection rule was met); its issue is closed in the
 * same transaction. The aggregate is the issue, so it follows the pull request's other events.
 */
export const PullRequestMerged = defineEvent({
  subject: 'plue.collaboration.pull_request.merged',
  version: 1,
  aggregateType: 'issue',
  payload: z.object({
    issueId: id(),
    repoId: id(),
    issueNumber: id(),
    baseBranch: branchName(),
    headBranch: branchName(),
    headCommitSha: commitSha(),
    mergedCommitSha: commitSha(),
    mergeStyle: z.enum(['merge', 'rebase', 'squash']),
    mergedBy: id(),
    mergedAt: timestamp(),
  }),
});
