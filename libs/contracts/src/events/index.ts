export { UserDeleted } from './auth.events';
export { RepositoryCreated, BranchPushed, GitUserContentReassigned } from './git.events';
export { IssueOpened, CommentCreated, CollaborationUserContentReassigned } from './collaboration.events';
export { WorkflowRunCompleted } from './agent.events';
