import { Branch } from './entities/branch.entity';
import { Collaborator } from './entities/collaborator.entity';
import { CommitStatus } from './entities/commit-status.entity';
import { ProtectedBranch } from './entities/protected-branch.entity';
import { RenamedBranch } from './entities/renamed-branch.entity';
import { Repository } from './entities/repository.entity';
import { Star } from './entities/star.entity';
import { Watch } from './entities/watch.entity';

export { Branch, Collaborator, CommitStatus, ProtectedBranch, RenamedBranch, Repository, Star, Watch };
export type { CollaboratorPermission } from './entities/collaborator.entity';
export type { CommitStatusState } from './entities/commit-status.entity';
export type { WatchMode } from './entities/watch.entity';

/** Every entity of the git domain, for building DataSources (together with the other domains' lists). */
export const GIT_ENTITIES = [
  Repository,
  Collaborator,
  Branch,
  ProtectedBranch,
  RenamedBranch,
  CommitStatus,
  Star,
  Watch,
];

export { RepositoriesDao } from './repositories.dao';
export type {
  CreateRepositoryInput,
  UpdateRepositoryInput,
  ListRepositoriesOptions,
  UserWithRepositories,
  ReassignedRepository,
} from './repositories.dao';
export { CollaboratorsDao, type ListCollaboratorsOptions } from './collaborators.dao';
export { BranchesDao, type BranchPushInput, type ListBranchesOptions } from './branches.dao';
export {
  ProtectedBranchesDao,
  type CreateProtectedBranchInput,
  type UpdateProtectedBranchInput,
} from './protected-branches.dao';
export { CommitStatusesDao, type CommitStatusInput, type CombinedStatus } from './commit-statuses.dao';
export { StarsDao, type ListStarsOptions } from './stars.dao';
export { WatchesDao, type ListWatchersOptions } from './watches.dao';

export {
  evaluateMerge,
  selectRule,
  ruleNameProblem,
  type MergeRule,
  type MergeFacts,
  type MergeBlocker,
  type MergeDecision,
  type RuleCandidate,
} from './branch-protection';
export { combineStates, COMMIT_STATUS_STATES } from './commit-status';
export { effectivePermission, permits, PERMISSION_LEVELS, type RepositoryAccessFacts } from './permissions';
export { gitRefNameProblem, isValidGitRefName } from './git-names';
export { repositoryNameProblem, nameWithoutClash, REPOSITORY_NAME_MAX_LENGTH } from './repository-names';
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type Page } from './pagination';
