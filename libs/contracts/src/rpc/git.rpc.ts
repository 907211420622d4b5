import { z } from 'zod';
import { branchName, commitSha, id, timestamp } from '../event-payload-fields';
import { defineRpc } from './rpc-contract';

// Requests are strict: an unknown key is a caller's mistake worth reporting, not something to drop.

const repositoryReply = z.object({
  id: id(),
  ownerId: id(),
  name: z.string(),
  description: z.string().nullable(),
  isPublic: z.boolean(),
  defaultBranch: z.string(),
  topics: z.array(z.string()),
  isArchived: z.boolean(),
  createdAt: timestamp(),
  updatedAt: timestamp(),
});

/** Creates a repository; emits `plue.git.repository.created` in the same transaction. */
export const CreateRepositoryRpc = defineRpc({
  pattern: 'plue.rpc.git.repository.create',
  request: z
    .object({
      ownerId: id(),
      name: z.string().min(1).max(100),
      description: z.string().max(1024).nullable().optional(),
      isPublic: z.boolean().default(true),
      defaultBranch: branchName().default('main'),
      topics: z.array(z.string().min(1).max(50)).max(20).optional(),
    })
    .strict(),
  reply: repositoryReply,
  errors: ['validation_failed', 'conflict', 'missing_reference', 'invalid_value'],
});

/** A repository by id; `not_found` when there is none. */
export const GetRepositoryRpc = defineRpc({
  pattern: 'plue.rpc.git.repository.get',
  request: z.object({ repoId: id() }).strict(),
  reply: repositoryReply,
  errors: ['validation_failed', 'not_found'],
});

/** An owner's repositories ordered by lowercase name; pass `nextCursor` back as `after`. */
export const ListRepositoriesRpc = defineRpc({
  pattern: 'plue.rpc.git.repository.list',
  request: z
    .object({
      ownerId: id(),
      limit: z.number().int().min(1).max(100).optional(),
      after: z.string().min(1).max(100).optional(),
      includePrivate: z.boolean().default(false),
    })
    .strict(),
  reply: z.object({ items: z.array(repositoryReply), nextCursor: z.string().nullable() }),
  errors: ['validation_failed'],
});

const branchReply = z.object({
  id: id(),
  repoId: id(),
  name: z.string(),
  commitId: commitSha(),
  pusherId: id().nullable(),
  updatedAt: timestamp(),
});

/**
 * Records a push to a branch (creates or moves it); emits `plue.git.branch.pushed` in the same
 * transaction. `forced` comes from the receiving git side, which knows whether history was rewritten.
 */
export const PushBranchRpc = defineRpc({
  pattern: 'plue.rpc.git.branch.push',
  request: z
    .object({
      repoId: id(),
      branch: branchName(),
      headCommitSha: commitSha(),
      commitMessage: z.string().max(65536).nullable().default(null),
      commitTime: timestamp().nullable().default(null),
      pusherId: id(),
      forced: z.boolean().default(false),
    })
    .strict(),
  reply: z.object({ branch: branchReply, created: z.boolean(), beforeCommitSha: commitSha().nullable() }),
  errors: ['validation_failed', 'not_found', 'missing_reference', 'invalid_value'],
});

const commitStatusReply = z.object({
  id: id(),
  repoId: id(),
  commitSha: commitSha(),
  context: z.string(),
  state: z.enum(['pending', 'success', 'failure', 'error']),
  description: z.string().nullable(),
  targetUrl: z.string().nullable(),
  creatorId: id().nullable(),
  workflowRunId: id().nullable(),
  updatedAt: timestamp(),
});

/** Creates or replaces the status of one context on a commit. */
export const UpsertCommitStatusRpc = defineRpc({
  pattern: 'plue.rpc.git.commit_status.upsert',
  request: z
    .object({
      repoId: id(),
      commitSha: commitSha(),
      context: z.string().min(1).max(255).default('default'),
      state: z.enum(['pending', 'success', 'failure', 'error']),
      description: z.string().max(1024).nullable().default(null),
      targetUrl: z.string().max(2048).nullable().default(null),
      creatorId: id().nullable().default(null),
    })
    .strict(),
  reply: commitStatusReply,
  errors: ['validation_failed', 'missing_reference', 'invalid_value'],
});

// ---- repositories: lookup by name, update, archive, delete ----

const repositoryOwner = () => z.union([id(), z.string().min(1).max(39)]);
const topics = () => z.array(z.string().min(1).max(50)).max(20);

/** A repository by its owner (user id, or username in any case) and name (any case); `not_found` when none. */
export const GetRepositoryByNameRpc = defineRpc({
  pattern: 'plue.rpc.git.repository.get_by_name',
  request: z.object({ owner: repositoryOwner(), name: z.string().min(1).max(100) }).strict(),
  reply: repositoryReply,
  errors: ['validation_failed', 'not_found'],
});

/** Changes description, visibility, default branch or topics (at least one). */
export const UpdateRepositoryRpc = defineRpc({
  pattern: 'plue.rpc.git.repository.update',
  request: z
    .object({
      repoId: id(),
      description: z.string().max(1024).nullable().optional(),
      isPublic: z.boolean().optional(),
      defaultBranch: branchName().optional(),
      topics: topics().optional(),
    })
    .strict()
    .refine(
      (request) => Object.entries(request).some(([key, value]) => key !== 'repoId' && value !== undefined),
      'names no field to change',
    ),
  reply: repositoryReply,
  errors: ['validation_failed', 'not_found', 'invalid_value'],
});

/** Archives a repository (read-only from then on); idempotent. */
export const ArchiveRepositoryRpc = defineRpc({
  pattern: 'plue.rpc.git.repository.archive',
  request: z.object({ repoId: id() }).strict(),
  reply: repositoryReply,
  errors: ['validation_failed', 'not_found'],
});

export const UnarchiveRepositoryRpc = defineRpc({
  pattern: 'plue.rpc.git.repository.unarchive',
  request: z.object({ repoId: id() }).strict(),
  reply: repositoryReply,
  errors: ['validation_failed', 'not_found'],
});

/** Deletes a repository and everything that belongs to it (branches, statuses, stars, watches…). */
export const DeleteRepositoryRpc = defineRpc({
  pattern: 'plue.rpc.git.repository.delete',
  request: z.object({ repoId: id() }).strict(),
  reply: z.object({ deleted: z.literal(true), repoId: id() }),
  errors: ['validation_failed', 'not_found', 'missing_reference'],
});

// ---- branches: get, list, delete, rename ----

/**
 * The live branch `name`; a name a branch was renamed from resolves to that branch (compare the
 * reply's `name`). `not_found` when nothing resolves.
 */
export const GetBranchRpc = defineRpc({
  pattern: 'plue.rpc.git.branch.get',
  request: z.object({ repoId: id(), name: branchName() }).strict(),
  reply: branchReply,
  errors: ['validation_failed', 'not_found'],
});

/** The live branches of a repository ordered by name; pass `nextCursor` back as `after`. */
export const ListBranchesRpc = defineRpc({
  pattern: 'plue.rpc.git.branch.list',
  request: z
    .object({
      repoId: id(),
      limit: z.number().int().min(1).max(100).optional(),
      after: branchName().optional(),
    })
    .strict(),
  reply: z.object({ items: z.array(branchReply), nextCursor: z.string().nullable() }),
  errors: ['validation_failed'],
});

/** Soft-deletes the live branch of exactly this name, recording who did it; never the default branch. */
export const DeleteBranchRpc = defineRpc({
  pattern: 'plue.rpc.git.branch.delete',
  request: z.object({ repoId: id(), name: branchName(), actorId: id().nullable() }).strict(),
  reply: z.object({ deleted: z.literal(true), branchId: id(), name: z.string(), deletedById: id().nullable() }),
  errors: ['validation_failed', 'not_found', 'conflict', 'missing_reference'],
});

/**
 * Renames the live branch `from` to `to`; lookups of `from` then resolve to it. The default branch
 * and a protection rule named exactly `from` follow.
 */
export const RenameBranchRpc = defineRpc({
  pattern: 'plue.rpc.git.branch.rename',
  request: z.object({ repoId: id(), from: branchName(), to: branchName() }).strict(),
  reply: branchReply,
  errors: ['validation_failed', 'not_found', 'conflict'],
});

// ---- collaborators and permissions ----

const collaboratorPermission = () => z.enum(['read', 'write', 'admin']);

const collaboratorReply = z.object({
  id: id(),
  repoId: id(),
  userId: id(),
  permission: collaboratorPermission(),
  createdAt: timestamp(),
  updatedAt: timestamp(),
});

/** Grants a permission, or changes the permission of an existing collaborator. The owner cannot be one. */
export const AddCollaboratorRpc = defineRpc({
  pattern: 'plue.rpc.git.collaborator.add',
  request: z.object({ repoId: id(), userId: id(), permission: collaboratorPermission() }).strict(),
  reply: collaboratorReply,
  errors: ['validation_failed', 'not_found', 'conflict', 'missing_reference'],
});

/** Changes the permission of an existing collaborator; `not_found` when the user is not one. */
export const UpdateCollaboratorRpc = defineRpc({
  pattern: 'plue.rpc.git.collaborator.update',
  request: z.object({ repoId: id(), userId: id(), permission: collaboratorPermission() }).strict(),
  reply: collaboratorReply,
  errors: ['validation_failed', 'not_found'],
});

/** Removes a collaborator; `removed` is false when the user was not one. */
export const RemoveCollaboratorRpc = defineRpc({
  pattern: 'plue.rpc.git.collaborator.remove',
  request: z.object({ repoId: id(), userId: id() }).strict(),
  reply: z.object({ removed: z.boolean() }),
  errors: ['validation_failed'],
});

/** The collaborators of a repository ordered by user id; pass `nextCursor` back as `after`. */
export const ListCollaboratorsRpc = defineRpc({
  pattern: 'plue.rpc.git.collaborator.list',
  request: z
    .object({ repoId: id(), limit: z.number().int().min(1).max(100).optional(), after: id().optional() })
    .strict(),
  reply: z.object({ items: z.array(collaboratorReply), nextCursor: id().nullable() }),
  errors: ['validation_failed'],
});

/**
 * What a user (null: anonymous) may do on a repository: the owner is admin, a collaborator has the
 * granted permission, anyone may read a public repository; null means no access.
 */
export const GetRepositoryPermissionRpc = defineRpc({
  pattern: 'plue.rpc.git.repository_permission.get',
  request: z.object({ repoId: id(), userId: id().nullable() }).strict(),
  reply: z.object({ repoId: id(), userId: id().nullable(), permission: collaboratorPermission().nullable() }),
  errors: ['validation_failed', 'not_found'],
});

// ---- stars ----

const starReply = z.object({ userId: id(), repoId: id(), createdAt: timestamp() });
const pageRequest = { limit: z.number().int().min(1).max(100).optional(), after: id().optional() };

/** Stars a repository; idempotent (`changed` is false when it was starred already). */
export const AddStarRpc = defineRpc({
  pattern: 'plue.rpc.git.star.add',
  request: z.object({ userId: id(), repoId: id() }).strict(),
  reply: z.object({ changed: z.boolean() }),
  errors: ['validation_failed', 'missing_reference'],
});

/** Removes a star; idempotent (`changed` is false when there was none). */
export const RemoveStarRpc = defineRpc({
  pattern: 'plue.rpc.git.star.remove',
  request: z.object({ userId: id(), repoId: id() }).strict(),
  reply: z.object({ changed: z.boolean() }),
  errors: ['validation_failed'],
});

/** Who starred a repository, by user id, with the star count. */
export const ListStargazersRpc = defineRpc({
  pattern: 'plue.rpc.git.star.list_stargazers',
  request: z.object({ repoId: id(), ...pageRequest }).strict(),
  reply: z.object({ items: z.array(starReply), nextCursor: id().nullable(), total: z.number().int().min(0) }),
  errors: ['validation_failed'],
});

/** What a user starred, by repository id. */
export const ListStarredRpc = defineRpc({
  pattern: 'plue.rpc.git.star.list_starred',
  request: z.object({ userId: id(), ...pageRequest }).strict(),
  reply: z.object({ items: z.array(starReply), nextCursor: id().nullable() }),
  errors: ['validation_failed'],
});

// ---- watches ----

const watchMode = () => z.enum(['watching', 'participating', 'ignoring']);
const watchReply = z.object({
  userId: id(),
  repoId: id(),
  mode: watchMode(),
  createdAt: timestamp(),
  updatedAt: timestamp(),
});

/** Watches a repository in `mode`, or changes the mode; idempotent. */
export const SetWatchRpc = defineRpc({
  pattern: 'plue.rpc.git.watch.set',
  request: z.object({ userId: id(), repoId: id(), mode: watchMode().default('watching') }).strict(),
  reply: watchReply,
  errors: ['validation_failed', 'missing_reference'],
});

/** Stops watching (back to the default); `changed` is false when there was no watch. */
export const RemoveWatchRpc = defineRpc({
  pattern: 'plue.rpc.git.watch.remove',
  request: z.object({ userId: id(), repoId: id() }).strict(),
  reply: z.object({ changed: z.boolean() }),
  errors: ['validation_failed'],
});

/** The user's watch mode on a repository; null when the user never chose one. */
export const GetWatchRpc = defineRpc({
  pattern: 'plue.rpc.git.watch.get',
  request: z.object({ userId: id(), repoId: id() }).strict(),
  reply: z.object({ userId: id(), repoId: id(), mode: watchMode().nullable() }),
  errors: ['validation_failed'],
});

/** Who watches a repository (`ignoring` left out), by user id, with their count. */
export const ListWatchersRpc = defineRpc({
  pattern: 'plue.rpc.git.watch.list_watchers',
  request: z.object({ repoId: id(), ...pageRequest }).strict(),
  reply: z.object({ items: z.array(watchReply), nextCursor: id().nullable(), total: z.number().int().min(0) }),
  errors: ['validation_failed'],
});

// ---- commit statuses: reads ----

/** The statuses of a commit, one per context, ordered by context. */
export const ListCommitStatusesRpc = defineRpc({
  pattern: 'plue.rpc.git.commit_status.list',
  request: z.object({ repoId: id(), commitSha: commitSha() }).strict(),
  reply: z.object({ items: z.array(commitStatusReply) }),
  errors: ['validation_failed'],
});

/**
 * The combined state of a commit (error > failure > pending > success; `pending` with `total` 0
 * when nothing has reported) with the statuses it combines.
 */
export const GetCombinedCommitStatusRpc = defineRpc({
  pattern: 'plue.rpc.git.commit_status.get_combined',
  request: z.object({ repoId: id(), commitSha: commitSha() }).strict(),
  reply: z.object({
    repoId: id(),
    commitSha: commitSha(),
    state: z.enum(['pending', 'success', 'failure', 'error']),
    total: z.number().int().min(0),
    statuses: z.array(commitStatusReply),
  }),
  errors: ['validation_failed'],
});

const userIds = () => z.array(id()).max(1000);

/** A branch protection rule, with the `protected_branches` columns in camelCase. */
const protectionRuleReply = z.object({
  id: id(),
  repoId: id(),
  ruleName: z.string(),
  priority: z.number().int().min(0),
  canPush: z.boolean(),
  enablePushAllowlist: z.boolean(),
  pushAllowlistUserIds: z.array(id()),
  canForcePush: z.boolean(),
  enableForcePushAllowlist: z.boolean(),
  forcePushAllowlistUserIds: z.array(id()),
  enableMergeAllowlist: z.boolean(),
  mergeAllowlistUserIds: z.array(id()),
  requiredApprovals: z.number().int().min(0),
  enableStatusCheck: z.boolean(),
  statusCheckContexts: z.array(z.string()),
  blockOnRejectedReviews: z.boolean(),
  blockOnOutdatedBranch: z.boolean(),
  dismissStaleApprovals: z.boolean(),
  createdAt: timestamp(),
  updatedAt: timestamp(),
});

/**
 * Sets the rule named `ruleName` (a branch name or a glob) of a repository to exactly the fields
 * sent (those left out take the column defaults): it is created, or replaced when the repository
 * already has a rule of that name.
 */
export const UpsertProtectedBranchRpc = defineRpc({
  pattern: 'plue.rpc.git.protected_branch.upsert',
  request: z
    .object({
      repoId: id(),
      ruleName: z.string().min(1).max(255),
      priority: z.number().int().min(0).max(2_147_483_647).default(0),
      canPush: z.boolean().default(false),
      enablePushAllowlist: z.boolean().default(false),
      pushAllowlistUserIds: userIds().default([]),
      canForcePush: z.boolean().default(false),
      enableForcePushAllowlist: z.boolean().default(false),
      forcePushAllowlistUserIds: userIds().default([]),
      enableMergeAllowlist: z.boolean().default(false),
      mergeAllowlistUserIds: userIds().default([]),
      requiredApprovals: z.number().int().min(0).max(2_147_483_647).default(0),
      enableStatusCheck: z.boolean().default(false),
      statusCheckContexts: z.array(z.string().min(1).max(255)).max(100).default([]),
      blockOnRejectedReviews: z.boolean().default(false),
      blockOnOutdatedBranch: z.boolean().default(false),
      dismissStaleApprovals: z.boolean().default(false),
    })
    .strict(),
  reply: z.object({ rule: protectionRuleReply, created: z.boolean() }),
  errors: ['validation_failed', 'not_found', 'conflict', 'missing_reference', 'invalid_value'],
});

/** A repository's protection rules, highest priority first, then oldest first. */
export const ListProtectedBranchesRpc = defineRpc({
  pattern: 'plue.rpc.git.protected_branch.list',
  request: z.object({ repoId: id() }).strict(),
  reply: z.object({ items: z.array(protectionRuleReply) }),
  errors: ['validation_failed'],
});

/** Deletes the rule named `ruleName`; `not_found` when the repository has no such rule. */
export const DeleteProtectedBranchRpc = defineRpc({
  pattern: 'plue.rpc.git.protected_branch.delete',
  request: z.object({ repoId: id(), ruleName: z.string().min(1).max(255) }).strict(),
  reply: z.object({ deleted: z.literal(true), ruleId: id() }),
  errors: ['validation_failed', 'not_found'],
});

/** A requirement of the merge (the rule's, or `merge_permission`: any merge's) that the pull request does not meet. */
const unmetRequirement = z.discriminatedUnion('requirement', [
  /** The merger lacks write access to the repository: refused whether or not the branch has a rule. */
  z.object({ requirement: z.literal('merge_permission'), mergerId: id() }),
  z.object({
    requirement: z.literal('approvals'),
    required: z.number().int(),
    /** The approvals that count: from reviewers with write access to the repository. */
    actual: z.number().int(),
    /** Approvers left out of `actual` because they lack write access, ascending. */
    ignoredApproverIds: z.array(id()),
  }),
  z.object({
    requirement: z.literal('status_checks'),
    /** Each required context without a `success` status on the head commit (`missing`: no status at all). */
    contexts: z.array(z.object({ context: z.string(), state: z.enum(['pending', 'failure', 'error', 'missing']) })),
    /** The rule lists no context and the head commit has no status at all. */
    noStatuses: z.boolean(),
  }),
  /** `rejecterIds`: the reviewers with write access whose change requests block, ascending. */
  z.object({ requirement: z.literal('no_rejected_reviews'), rejecterIds: z.array(id()) }),
  z.object({ requirement: z.literal('merge_allowlist'), mergerId: id() }),
  z.object({ requirement: z.literal('up_to_date'), baseCommitSha: commitSha().nullable() }),
]);

const reviewerIds = () => z.array(id()).max(1000);

/**
 * Whether `mergerId` may merge a pull request into `baseBranch`: the merger needs write access to
 * the repository (always), and the branch's protection rule (the rule named after it, else the
 * best matching glob) must be met. Collaboration sends who gave which current verdict; git, which
 * owns permissions, counts only reviewers with write access (owner, write or admin collaborators),
 * and judges the rule and the commit statuses of `headCommitSha`.
 */
export const CheckMergeRpc = defineRpc({
  pattern: 'plue.rpc.git.protected_branch.check_merge',
  request: z
    .object({
      repoId: id(),
      baseBranch: branchName(),
      headCommitSha: commitSha(),
      /** Reviewers whose current verdict approves the current head (the pull request's author cannot be one). */
      approverIds: reviewerIds(),
      /** Reviewers whose current verdict approves an older head: counted unless the rule dismisses stale approvals. */
      staleApproverIds: reviewerIds().default([]),
      /**
       * Reviewers whose current verdict requests changes. Only those with write access block (with
       * `blockOnRejectedReviews`), as on GitHub and Gitea: anyone may review a public repository,
       * and a stranger's change request must not be able to hold a merge back.
       */
      rejecterIds: reviewerIds().default([]),
      mergerId: id(),
      /** The merge base of head and base as last computed; null (unknown) counts as outdated. */
      mergeBaseSha: commitSha().nullable().default(null),
    })
    .strict()
    .superRefine((request, context) => {
      // A reviewer has one current verdict: an id twice, in one list or two, is a caller's mistake.
      const seen = new Set<number>();
      for (const field of ['approverIds', 'staleApproverIds', 'rejecterIds'] as const) {
        for (const reviewerId of request[field]) {
          if (seen.has(reviewerId)) {
            context.addIssue({ code: 'custom', path: [field], message: `repeats reviewer ${reviewerId}` });
          }
          seen.add(reviewerId);
        }
      }
    }),
  reply: z.object({
    allowed: z.boolean(),
    rule: protectionRuleReply.nullable(),
    unmet: z.array(unmetRequirement),
  }),
  errors: ['validation_failed', 'not_found'],
});

export const GIT_RPC_CONTRACTS = [
  CreateRepositoryRpc,
  GetRepositoryRpc,
  ListRepositoriesRpc,
  PushBranchRpc,
  UpsertCommitStatusRpc,
  GetRepositoryByNameRpc,
  UpdateRepositoryRpc,
  ArchiveRepositoryRpc,
  UnarchiveRepositoryRpc,
  DeleteRepositoryRpc,
  GetBranchRpc,
  ListBranchesRpc,
  DeleteBranchRpc,
  RenameBranchRpc,
  AddCollaboratorRpc,
  UpdateCollaboratorRpc,
  RemoveCollaboratorRpc,
  ListCollaboratorsRpc,
  GetRepositoryPermissionRpc,
  AddStarRpc,
  RemoveStarRpc,
  ListStargazersRpc,
  ListStarredRpc,
  SetWatchRpc,
  RemoveWatchRpc,
  GetWatchRpc,
  ListWatchersRpc,
  ListCommitStatusesRpc,
  GetCombinedCommitStatusRpc,
  UpsertProtectedBranchRpc,
  ListProtectedBranchesRpc,
  DeleteProtectedBranchRpc,
  CheckMergeRpc,
] as const;
