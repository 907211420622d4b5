import { z } from 'zod';
import type { DataSource } from 'typeorm';
import { ConflictError, inTransaction, NotFoundError, parseInput, type Tx, hydrate } from '@plue/db';
import { Issue } from './entities/issue.entity';
import { PullRequest } from './entities/pull-request.entity';
import { rowsOf } from './result-rows';
import { issueColumns } from './issue-columns';
import { recordIssueEvent } from './issue-events.dao';
import { createIssueSchema, openIssue } from './issue-creation';
import { gitObjectIdSchema, gitRefNameSchema, idSchema } from './validation';

const createPullRequestSchema = createIssueSchema
  .extend({
    baseBranch: gitRefNameSchema,
    /** The repository holding the head branch (a fork); defaults to the base repository. */
    headRepoId: idSchema.optional(),
    headBranch: gitRefNameSchema,
    headCommitId: gitObjectIdSchema.nullable().default(null),
  })
  .strict()
  .refine((pr) => (pr.headRepoId ?? pr.repoId) !== pr.repoId || pr.headBranch !== pr.baseBranch, {
    message: 'head and base must differ',
    path: ['headBranch'],
  });
export type CreatePullRequest = z.input<typeof createPullRequestSchema>;

const mergeSchema = z
  .object({
    issueId: idSchema,
    mergedBy: idSchema,
    mergedCommitId: gitObjectIdSchema,
    mergeStyle: z.enum(['merge', 'rebase', 'squash']),
  })
  .strict();
export type MergePullRequest = z.input<typeof mergeSchema>;

const mergeabilitySchema = z.enum(['checking', 'mergeable', 'conflict', 'empty', 'error']);

export interface PullRequestWithIssue {
  issue: Issue;
  pullRequest: PullRequest;
}

/**
 * Pull requests: an issue row (is_pull, sharing the repository's numbering) plus a pull_requests
 * row, always written together. Whether a merge is allowed (approvals, status checks, branch
 * protection) is decided by the service before it calls `merge`.
 */
export class PullRequestsDao {
  constructor(private readonly db: DataSource) {}

  /** Opens a pull request: issue (numbered like any issue), pull request row, opened event, mentions. */
  async create(data: CreatePullRequest, tx?: Tx): Promise<PullRequestWithIssue> {
    const input = parseInput(createPullRequestSchema, data);
    return inTransaction(tx ?? this.db, async (manager) => {
      const issue = await openIssue(manager, input, true);
      const [row] = rowsOf(
        await manager.query(
          `INSERT INTO pull_requests (issue_id, base_repo_id, base_branch, head_repo_id, head_branch, head_commit_id)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
          [
            issue.id,
            input.repoId,
            input.baseBranch,
            input.headRepoId ?? input.repoId,
            input.headBranch,
            input.headCommitId,
          ],
        ),
      );
      return { issue, pullRequest: hydrate(manager, PullRequest, row) };
    });
  }

  /** The pull request whose issue is `issueId`, or null. */
  async getByIssueId(issueId: number, tx?: Tx): Promise<PullRequestWithIssue | null> {
    return this.findOne('i.id = $1', [parseInput(idSchema, issueId)], tx ?? this.db.manager);
  }

  /** The pull request with this number in the repository, or null. */
  async getByNumber(repoId: number, issueNumber: number, tx?: Tx): Promise<PullRequestWithIssue | null> {
    const input = parseInput(z.object({ repoId: idSchema, issueNumber: idSchema }), { repoId, issueNumber });
    return this.findOne(
      'i.repo_id = $1 AND i.issue_number = $2',
      [input.repoId, input.issueNumber],
      tx ?? this.db.manager,
    );
  }

  /**
   * The open pull requests whose head is `headBranch` of repository `headRepoId` (a push to that
   * branch moves their head: `updateHead`).
   */
  async listOpenByHead(headRepoId: number, headBranch: string, tx?: Tx): Promise<PullRequest[]> {
    const input = parseInput(z.object({ headRepoId: idSchema, headBranch: gitRefNameSchema }), {
      headRepoId,
      headBranch,
    });
    const manager = tx ?? this.db.manager;
    const rows = rowsOf(
      await manager.query(
        `SELECT p.* FROM pull_requests p JOIN issues i ON i.id = p.issue_id
          WHERE p.head_repo_id = $1 AND p.head_branch = $2 AND NOT p.has_merged AND i.state = 'open'
          ORDER BY p.id`,
        [input.headRepoId, input.headBranch],
      ),
    );
    return rows.map((row) => hydrate(manager, PullRequest, row));
  }

  /**
   * Records a merge: merged fields set, the issue closed, `merged` and `closed` events written.
   * ConflictError when the pull request is already merged or closed.
   */
  async merge(data: MergePullRequest, tx?: Tx): Promise<PullRequestWithIssue> {
    const input = parseInput(mergeSchema, data);
    return inTransaction(tx ?? this.db, async (manager) => {
      const current = await this.lock(manager, input.issueId);
      if (current.pullRequest.hasMerged)
        throw new ConflictError(`pull request ${input.issueId} is already merged`, { field: 'issueId' });
      if (current.issue.state === 'closed')
        throw new ConflictError(`pull request ${input.issueId} is closed`, { field: 'issueId' });
      const [prRow] = rowsOf(
        await manager.query(
          `UPDATE pull_requests
              SET status = 'merged', has_merged = true, merged_at = now(), merged_by = $2, merged_commit_id = $3, merge_style = $4
            WHERE issue_id = $1 RETURNING *`,
          [input.issueId, input.mergedBy, input.mergedCommitId, input.mergeStyle],
        ),
      );
      const [issueRow] = rowsOf(
        await manager.query(
          `UPDATE issues SET state = 'closed', closed_at = now() WHERE id = $1 RETURNING ${issueColumns()}`,
          [input.issueId],
        ),
      );
      await recordIssueEvent(manager, input.issueId, input.mergedBy, 'merged', {
        commitId: input.mergedCommitId,
        mergeStyle: input.mergeStyle,
      });
      await recordIssueEvent(manager, input.issueId, input.mergedBy, 'closed');
      return { issue: hydrate(manager, Issue, issueRow), pullRequest: hydrate(manager, PullRequest, prRow) };
    });
  }

  /**
   * The head branch moved to `headCommitId`: mergeability is checked again, and submitted verdicts
   * made against an older head become stale (for dismiss_stale_approvals).
   */
  async updateHead(issueId: number, headCommitId: string, tx?: Tx): Promise<PullRequest> {
    const input = parseInput(z.object({ issueId: idSchema, headCommitId: gitObjectIdSchema }), {
      issueId,
      headCommitId,
    });
    return inTransaction(tx ?? this.db, async (manager) => {
      const current = await this.lock(manager, input.issueId);
      if (current.pullRequest.hasMerged)
        throw new ConflictError(`pull request ${input.issueId} is already merged`, { field: 'issueId' });
      const [row] = rowsOf(
        await manager.query(
          `UPDATE pull_requests SET head_commit_id = $2, status = 'checking' WHERE issue_id = $1 RETURNING *`,
          [input.issueId, input.headCommitId],
        ),
      );
      await manager.query(
        `UPDATE reviews SET stale = true
          WHERE issue_id = $1 AND state IN ('approved', 'changes_requested') AND NOT stale
            AND commit_id IS DISTINCT FROM $2`,
        [input.issueId, input.headCommitId],
      );
      return hydrate(manager, PullRequest, row);
    });
  }

  /** Records the result of a mergeability check. */
  async setMergeability(
    issueId: number,
    status: z.input<typeof mergeabilitySchema>,
    mergeBase: string | null = null,
    tx?: Tx,
  ): Promise<PullRequest> {
    const input = parseInput(
      z.object({ issueId: idSchema, status: mergeabilitySchema, mergeBase: gitObjectIdSchema.nullable() }),
      {
        issueId,
        status,
        mergeBase,
      },
    );
    return inTransaction(tx ?? this.db, async (manager) => {
      const [row] = rowsOf(
        await manager.query(
          `UPDATE pull_requests SET status = $2, merge_base = coalesce($3, merge_base)
            WHERE issue_id = $1 AND NOT has_merged RETURNING *`,
          [input.issueId, input.status, input.mergeBase],
        ),
      );
      if (!row) throw new NotFoundError(`open pull request ${input.issueId} does not exist`, { field: 'issueId' });
      return hydrate(manager, PullRequest, row);
    });
  }

  private async lock(manager: Tx, issueId: number): Promise<PullRequestWithIssue> {
    const found = await this.findOne('i.id = $1', [issueId], manager, 'FOR NO KEY UPDATE');
    if (!found) throw new NotFoundError(`pull request ${issueId} does not exist`, { field: 'issueId' });
    return found;
  }

  private async findOne(
    condition: string,
    params: unknown[],
    manager: Tx,
    locking = '',
  ): Promise<PullRequestWithIssue | null> {
    const [row] = rowsOf(
      await manager.query(
        `SELECT row_to_json(p) AS pull_request, ${issueColumns('i')}
           FROM issues i JOIN pull_requests p ON p.issue_id = i.id
          WHERE ${condition} ${locking}`,
        params,
      ),
    );
    if (!row) return null;
    return {
      issue: hydrate(manager, Issue, row),
      pullRequest: hydrate(manager, PullRequest, row.pull_request as Record<string, unknown>),
    };
  }
}
