import { z } from 'zod';
import { branchName, commitSha, id, timestamp } from '../event-payload-fields';
import { defineRpc } from './rpc-contract';

// Requests are strict: an unknown key is a caller's mistake worth reporting, not something to drop.
// Issues are addressed the way users name them: repository and per-repository number.

const title = () => z.string().min(1).max(255);
const issueBody = () => z.string().max(65_536);
/** A user named by id or by username (case-insensitive), as the issue list filters take them. */
const userRef = () => z.union([id(), z.string().min(1).max(39)]);

const issueReply = z.object({
  id: id(),
  repoId: id(),
  number: id(),
  authorId: id(),
  title: z.string(),
  body: z.string(),
  state: z.enum(['open', 'closed']),
  isPullRequest: z.boolean(),
  milestoneId: id().nullable(),
  isLocked: z.boolean(),
  commentCount: z.number().int().min(0),
  closedAt: timestamp().nullable(),
  createdAt: timestamp(),
  updatedAt: timestamp(),
});

/**
 * Opens an issue (numbered per repository), with its labels, assignees and the body's @-mentions;
 * emits `plue.collaboration.issue.opened` in the same transaction.
 */
export const CreateIssueRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.issue.create',
  request: z
    .object({
      repoId: id(),
      authorId: id(),
      title: title(),
      body: issueBody().default(''),
      milestoneId: id().nullable().default(null),
      labelIds: z.array(id()).max(50).default([]),
      assigneeIds: z.array(id()).max(10).default([]),
    })
    .strict(),
  reply: issueReply,
  errors: ['validation_failed', 'conflict', 'missing_reference', 'invalid_value'],
});

/** An issue (or the issue half of a pull request) by repository and number; `not_found` when there is none. */
export const GetIssueRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.issue.get',
  request: z.object({ repoId: id(), number: id() }).strict(),
  reply: issueReply,
  errors: ['validation_failed', 'not_found'],
});

/**
 * A page of a repository's issues, filtered (all filters combine with AND), sorted and paged by
 * keyset; pass `nextCursor` back as `cursor` with the same sort and direction.
 */
export const ListIssuesRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.issue.list',
  request: z
    .object({
      repoId: id(),
      state: z.enum(['open', 'closed', 'all']).default('open'),
      type: z.enum(['issue', 'pull_request', 'all']).default('issue'),
      labels: z
        .array(z.union([id(), z.string().min(1).max(50)]))
        .max(10)
        .default([]),
      assignee: userRef().optional(),
      author: userRef().optional(),
      milestone: z.union([id(), z.literal('none')]).optional(),
      mentioned: userRef().optional(),
      search: z.string().trim().min(1).max(256).optional(),
      sort: z.enum(['created', 'updated', 'comments']).default('created'),
      direction: z.enum(['asc', 'desc']).default('desc'),
      limit: z.number().int().min(1).max(100).default(30),
      cursor: z.string().min(1).max(512).optional(),
    })
    .strict(),
  reply: z.object({ items: z.array(issueReply), nextCursor: z.string().nullable() }),
  errors: ['validation_failed'],
});

/**
 * Changes an issue's title, body or state (closing sets `closedAt`, reopening clears it); each change
 * is recorded on the issue's timeline under `actorId`, and a new body re-syncs its @-mentions.
 */
export const UpdateIssueRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.issue.update',
  request: z
    .object({
      repoId: id(),
      number: id(),
      actorId: id().nullable().default(null),
      title: title().optional(),
      body: issueBody().optional(),
      state: z.enum(['open', 'closed']).optional(),
    })
    .strict(),
  reply: issueReply,
  errors: ['validation_failed', 'not_found', 'conflict', 'missing_reference', 'invalid_value'],
});

const commentReply = z.object({
  id: id(),
  issueId: id(),
  repoId: id(),
  issueNumber: id(),
  authorId: id(),
  body: z.string(),
  createdAt: timestamp(),
  updatedAt: timestamp(),
  editedAt: timestamp().nullable(),
});

/**
 * Comments on an issue or pull request (with the body's @-mentions); emits
 * `plue.collaboration.comment.created` in the same transaction.
 */
export const CreateCommentRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.comment.create',
  request: z
    .object({
      repoId: id(),
      issueNumber: id(),
      authorId: id(),
      body: z.string().min(1).max(65_536),
    })
    .strict(),
  reply: commentReply,
  errors: ['validation_failed', 'not_found', 'missing_reference', 'invalid_value'],
});

/** A pull request: its issue's fields plus the `pull_requests` row's. */
const pullRequestReply = issueReply.extend({
  baseBranch: z.string(),
  headBranch: z.string(),
  headCommitSha: commitSha().nullable(),
  status: z.enum(['checking', 'mergeable', 'conflict', 'empty', 'error', 'merged', 'closed']),
  hasMerged: z.boolean(),
  mergedAt: timestamp().nullable(),
  mergedBy: id().nullable(),
  mergedCommitSha: commitSha().nullable(),
  mergeStyle: z.enum(['merge', 'rebase', 'squash']).nullable(),
});

/**
 * Opens a pull request from `headBranch` into `baseBranch` of the same repository: an issue
 * (numbered like issues) plus its pull_requests row; emits `plue.collaboration.issue.opened`
 * (`isPullRequest` true) in the same transaction.
 */
export const CreatePullRequestRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.pull_request.create',
  request: z
    .object({
      repoId: id(),
      authorId: id(),
      title: title(),
      body: issueBody().default(''),
      baseBranch: branchName(),
      headBranch: branchName(),
      headCommitSha: commitSha(),
    })
    .strict(),
  reply: pullRequestReply,
  errors: ['validation_failed', 'missing_reference', 'invalid_value'],
});

/** A pull request by repository and number; `not_found` when there is none (or it is a plain issue). */
export const GetPullRequestRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.pull_request.get',
  request: z.object({ repoId: id(), number: id() }).strict(),
  reply: pullRequestReply,
  errors: ['validation_failed', 'not_found'],
});

const reviewReply = z.object({
  id: id(),
  repoId: id(),
  pullRequestNumber: id(),
  reviewerId: id(),
  state: z.enum(['approved', 'changes_requested', 'commented', 'dismissed']),
  body: z.string(),
  /** The head commit the review was made on. */
  commitSha: commitSha().nullable(),
  /** The head moved since (the review counts only while the rule keeps stale approvals). */
  stale: z.boolean(),
  submittedAt: timestamp(),
});

/**
 * Submits a review of the pull request's current head commit. A reviewer's latest verdict
 * (approved / changes_requested) is the one that counts; a comment does not change it. The author
 * may only comment on their own pull request.
 */
export const SubmitReviewRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.review.submit',
  request: z
    .object({
      repoId: id(),
      number: id(),
      reviewerId: id(),
      state: z.enum(['approved', 'changes_requested', 'commented']),
      body: issueBody().default(''),
    })
    .strict(),
  reply: reviewReply,
  errors: ['validation_failed', 'not_found', 'conflict', 'missing_reference', 'invalid_value'],
});

/**
 * Merges an open pull request once git says its base branch's protection rule is met (approvals
 * counted here, status checks of the head commit in git): the pull request is marked merged and
 * its issue closed, and `plue.collaboration.pull_request.merged` is emitted, in one transaction.
 * Refused with `precondition_failed` (`details.unmet`, `details.rule`) while the rule is unmet, and
 * with `unavailable` when git does not answer: nothing is merged without git's yes.
 */
export const MergePullRequestRpc = defineRpc({
  pattern: 'plue.rpc.collaboration.pull_request.merge',
  request: z
    .object({
      repoId: id(),
      number: id(),
      mergerId: id(),
      mergeStyle: z.enum(['merge', 'rebase', 'squash']).default('merge'),
    })
    .strict(),
  reply: pullRequestReply,
  errors: [
    'validation_failed',
    'not_found',
    'conflict',
    'precondition_failed',
    'unavailable',
    'missing_reference',
    'invalid_value',
  ],
});

export const COLLABORATION_RPC_CONTRACTS = [
  CreateIssueRpc,
  GetIssueRpc,
  ListIssuesRpc,
  UpdateIssueRpc,
  CreateCommentRpc,
  CreatePullRequestRpc,
  GetPullRequestRpc,
  SubmitReviewRpc,
  MergePullRequestRpc,
] as const;
