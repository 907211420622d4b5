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

export const GIT_RPC_CONTRACTS = [
  CreateRepositoryRpc,
  GetRepositoryRpc,
  ListRepositoriesRpc,
  PushBranchRpc,
  UpsertCommitStatusRpc,
] as const;
