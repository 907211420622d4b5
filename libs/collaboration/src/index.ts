import {
  Comment,
  Issue,
  IssueAssignee,
  IssueDependency,
  IssueEvent,
  IssueLabel,
  Label,
  Mention,
  Milestone,
  PinnedIssue,
  PullRequest,
  Reaction,
  Review,
  ReviewComment,
} from './entities';

export * from './entities';

/** Every entity of the collaboration domain, for DataSources (services, tests, the migrator's verify). */
export const COLLABORATION_ENTITIES = [
  Issue,
  PullRequest,
  Comment,
  Label,
  IssueLabel,
  IssueAssignee,
  Milestone,
  Reaction,
  Review,
  ReviewComment,
  IssueEvent,
  Mention,
  IssueDependency,
  PinnedIssue,
];

// DAOs
export { IssuesDao, type UpdateIssue, type IssuePage, type IssueWithLabels } from './issues.dao';
export { type CreateIssue } from './issue-creation';
export {
  PullRequestsDao,
  type CreatePullRequest,
  type MergePullRequest,
  type PullRequestWithIssue,
} from './pull-requests.dao';
export { CommentsDao, type CreateComment, type CommentListOptions, type CommentPage } from './comments.dao';
export { LabelsDao, type CreateLabel, type UpdateLabel, type IssueLabelChange } from './labels.dao';
export { IssueAssigneesDao, MAX_ASSIGNEES_PER_ISSUE } from './issue-assignees.dao';
export { MilestonesDao, type CreateMilestone, type UpdateMilestone } from './milestones.dao';
export { PinnedIssuesDao, MAX_PINNED_ISSUES } from './pinned-issues.dao';
export { ReactionsDao, type ReactionInput, type ReactionSummary } from './reactions.dao';
export { MentionsDao, type MentionSync, type UserMention } from './mentions.dao';
export { IssueDependenciesDao, NO_CYCLE_CONSTRAINT, type IssueDependencyInput } from './issue-dependencies.dao';
export {
  ReviewsDao,
  type CreateReview,
  type SubmitReview,
  type ApprovalOptions,
  type CurrentVerdicts,
} from './reviews.dao';
export {
  ReviewCommentsDao,
  type CreateReviewComment,
  type ReplyToReviewComment,
  type ReviewThread,
} from './review-comments.dao';
export { IssueEventsDao, type AppendIssueEvent } from './issue-events.dao';
export { UserReassignmentDao, type ReassignmentCounts } from './user-reassignment.dao';

// Rules
export { parseMentions, withoutCode, MAX_MENTIONS_PER_TEXT } from './mentions';
export { DEFAULT_LABELS } from './default-labels';
export { exclusiveScope } from './label-scopes';
export {
  buildIssueListQuery,
  decodeCursor,
  encodeCursor,
  issueListFiltersSchema,
  ISSUE_LIST_DEFAULT_PAGE_SIZE,
  ISSUE_LIST_MAX_PAGE_SIZE,
  type IssueListFilters,
  type IssueListQuery,
} from './issue-list-query';
