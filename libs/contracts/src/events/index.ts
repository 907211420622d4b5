export { UserDeleted } from './auth.events';
export { RepositoryCreated, BranchPushed, GitUserContentReassigned } from './git.events';
export {
  IssueOpened,
  CommentCreated,
  CollaborationUserContentReassigned,
  PullRequestMerged,
} from './collaboration.events';
export { WorkflowRunCompleted } from './agent.events';
