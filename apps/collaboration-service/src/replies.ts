import type { CreateCommentRpc, CreateIssueRpc, RpcReplyOf } from '@plue/contracts';
import type { Comment, Issue } from '@plue/collaboration';

// Entities become the contracts' reply shapes: explicit fields (nothing leaks by being added to an
// entity) and ISO-8601 times (JSON has no dates).

export function issueReply(issue: Issue): RpcReplyOf<typeof CreateIssueRpc> {
  return {
    id: issue.id,
    repoId: issue.repoId,
    number: issue.issueNumber,
    authorId: issue.authorId,
    title: issue.title,
    body: issue.body,
    state: issue.state,
    isPullRequest: issue.isPull,
    milestoneId: issue.milestoneId,
    isLocked: issue.isLocked,
    commentCount: issue.commentCount,
    closedAt: issue.closedAt === null ? null : issue.closedAt.toISOString(),
    createdAt: issue.createdAt.toISOString(),
    updatedAt: issue.updatedAt.toISOString(),
  };
}

/** A comment with its issue's public address (the comment row only knows the issue's id). */
export function commentReply(comment: Comment, issue: Issue): RpcReplyOf<typeof CreateCommentRpc> {
  return {
    id: comment.id,
    issueId: comment.issueId,
    repoId: issue.repoId,
    issueNumber: issue.issueNumber,
    authorId: comment.authorId,
    body: comment.body,
    createdAt: comment.createdAt.toISOString(),
    updatedAt: comment.updatedAt.toISOString(),
    editedAt: comment.editedAt === null ? null : comment.editedAt.toISOString(),
  };
}
