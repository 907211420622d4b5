export { UserDeleted } from './auth.events';
export { RepositoryCreated, BranchPushed } from './git.events';
export { IssueOpened, CommentCreated, PullRequestMerged } from './collaboration.events';
export { WorkflowRunCompleted } from './agent.events';
