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

/** The live branch (a renamed branch is found by its old name too); `not_found` when there is none. */
export const GetBranchRpc = defineRpc({
  pattern: 'plue.rpc.git.branch.get',
  request: z.object({ repoId: id(), branch: branchName() }).strict(),
  reply: branchReply,
  errors: ['validation_failed', 'not_found'],
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

/** A requirement of the protection rule that the pull request does not meet. */
const unmetRequirement = z.discriminatedUnion('requirement', [
  z.object({ requirement: z.literal('approvals'), required: z.number().int(), actual: z.number().int() }),
  z.object({
    requirement: z.literal('status_checks'),
    /** Each required context without a `success` status on the head commit (`missing`: no status at all). */
    contexts: z.array(z.object({ context: z.string(), state: z.enum(['pending', 'failure', 'error', 'missing']) })),
    /** The rule lists no context and the head commit has no status at all. */
    noStatuses: z.boolean(),
  }),
  z.object({ requirement: z.literal('no_rejected_reviews') }),
  z.object({ requirement: z.literal('merge_allowlist'), mergerId: id() }),
  z.object({ requirement: z.literal('up_to_date'), baseCommitSha: commitSha().nullable() }),
]);

/**
 * Whether a pull request may be merged into `baseBranch` under the branch's protection rule (the
 * rule named after it, else the best matching glob). Facts about reviews come from collaboration,
 * which counts them; commit statuses of `headCommitSha` and the rule are git's.
 */
export const CheckMergeRpc = defineRpc({
  pattern: 'plue.rpc.git.protected_branch.check_merge',
  request: z
    .object({
      repoId: id(),
      baseBranch: branchName(),
      headCommitSha: commitSha(),
      /** Approving verdicts made on the current head (not stale), the pull request's author excluded. */
      approvals: z.number().int().min(0).max(100_000),
      /** Approving verdicts made on an older head: they count unless the rule dismisses stale approvals. */
      staleApprovals: z.number().int().min(0).max(100_000).default(0),
      /** Some reviewer's current verdict requests changes. */
      hasRejectedReviews: z.boolean().default(false),
      mergerId: id(),
      /** The merge base of head and base as last computed; null (unknown) counts as outdated. */
      mergeBaseSha: commitSha().nullable().default(null),
    })
    .strict(),
  reply: z.object({
    allowed: z.boolean(),
    rule: protectionRuleReply.nullable(),
    unmet: z.array(unmetRequirement),
  }),
  errors: ['validation_failed'],
});

export const GIT_RPC_CONTRACTS = [
  CreateRepositoryRpc,
  GetRepositoryRpc,
  ListRepositoriesRpc,
  PushBranchRpc,
  UpsertCommitStatusRpc,
  GetBranchRpc,
  UpsertProtectedBranchRpc,
  ListProtectedBranchesRpc,
  DeleteProtectedBranchRpc,
  CheckMergeRpc,
] as const;
