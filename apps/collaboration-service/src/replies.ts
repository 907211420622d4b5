import type { CreateCommentRpc, CreateIssueRpc, GetPullRequestRpc, RpcReplyOf, SubmitReviewRpc } from '@plue/contracts';
import type { Comment, Issue, PullRequestWithIssue, Review } from '@plue/collaboration';

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

export function pullRequestReply({ issue, pullRequest }: PullRequestWithIssue): RpcReplyOf<typeof GetPullRequestRpc> {
  return {
    ...issueReply(issue),
    baseBranch: pullRequest.baseBranch,
    headBranch: pullRequest.headBranch,
    headCommitSha: pullRequest.headCommitId,
    status: pullRequest.status,
    hasMerged: pullRequest.hasMerged,
    mergedAt: pullRequest.mergedAt === null ? null : pullRequest.mergedAt.toISOString(),
    mergedBy: pullRequest.mergedBy,
    mergedCommitSha: pullRequest.mergedCommitId,
    mergeStyle: pullRequest.mergeStyle,
  };
}

/** A submitted review with its pull request's public address (the row only knows the issue's id). */
export function reviewReply(review: Review, issue: Issue): RpcReplyOf<typeof SubmitReviewRpc> {
  if (review.state === 'pending' || review.submittedAt === null) {
    throw new Error(`review ${review.id} is not submitted`);
  }
  return {
    id: review.id,
    repoId: issue.repoId,
    pullRequestNumber: issue.issueNumber,
    reviewerId: review.reviewerId,
    state: review.state,
    body: review.body,
    commitSha: review.commitId,
    stale: review.stale,
    submittedAt: review.submittedAt.toISOString(),
  };
}
