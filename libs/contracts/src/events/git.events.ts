import { z } from 'zod';
import { defineEvent } from '../event-contract';
import { branchName, commitSha, id } from '../event-payload-fields';

/** A repository was created; collaboration creates its default labels (flow 1). */
export const RepositoryCreated = defineEvent({
  subject: 'plue.git.repository.created',
  version: 1,
  aggregateType: 'repository',
  payload: z.object({
    repoId: id(),
    ownerId: id(),
    name: z.string().min(1).max(255),
    defaultBranch: branchName(),
    isPublic: z.boolean(),
  }),
});

/**
 * Commits were pushed to a branch; agent matches workflow triggers by event type and branch glob
 * (flow 2). The aggregate is the repository, so pushes to one repository arrive in push order.
 */
export const BranchPushed = defineEvent({
  subject: 'plue.git.branch.pushed',
  version: 1,
  aggregateType: 'repository',
  payload: z.object({
    repoId: id(),
    branch: branchName(),
    /** `refs/heads/<branch>`. */
    ref: z.string().min(1).max(1024),
    /** The branch head before the push; null when the push created the branch. */
    beforeCommitSha: commitSha().nullable(),
    headCommitSha: commitSha(),
    pusherId: id(),
    forced: z.boolean(),
  }),
});

/**
 * git handed a deleted user's content to the ghost account (flow 6): repositories (renamed
 * `<name>-<n>` where the ghost already had the name), branch pushers and deleters, commit status
 * creators; the user left the branch protection allowlists. Nothing in git's tables blocks deleting
 * the user any more; auth deletes the row once collaboration has confirmed too.
 */
export const GitUserContentReassigned = defineEvent({
  subject: 'plue.git.user_content.reassigned',
  version: 1,
  aggregateType: 'user',
  payload: z.object({
    userId: id(),
    ghostUserId: id(),
  }),
});
