export { UserDeleted } from './auth.events';
export { RepositoryCreated, BranchPushed } from './git.events';
export { IssueOpened, CommentCreated } from './collaboration.events';
export { WorkflowRunCompleted } from './agent.events';
