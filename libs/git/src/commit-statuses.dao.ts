import { z } from 'zod';
import type { DataSource } from 'typeorm';
import { inTransaction, parseInput, type Tx, hydrate } from '@plue/db';
import { CommitStatus, type CommitStatusState } from './entities/commit-status.entity';
import { boundedText, commitShaSchema, idSchema } from './git-names';

const upsertSchema = z.object({
  repoId: idSchema,
  commitSha: commitShaSchema,
  context: boundedText(1, 255).default('default'),
  state: z.enum(['pending', 'success', 'failure', 'error']),
  description: boundedText(0, 1024).nullable().default(null),
  // Rendered as a link: http(s) or site-relative only, never javascript: and the like.
  targetUrl: boundedText(0, 2048)
    .refine((url) => /^(https?:\/\/|\/)/.test(url), 'must start with http://, https:// or /')
    .nullable()
    .default(null),
  creatorId: idSchema.nullable().default(null),
  workflowRunId: idSchema.nullable().default(null),
});
export type CommitStatusInput = z.input<typeof upsertSchema>;

export interface CombinedStatus {
  /** error > failure > pending > success; `pending` when nothing has reported (`total` 0). */
  state: CommitStatusState;
  total: number;
}

// The SQL twin of combineStates() in commit-status.ts; the tests hold them to the same answers.
const COMBINED_STATE_SQL = `CASE WHEN bool_or(s.state = 'error') THEN 'error'
            WHEN bool_or(s.state = 'failure') THEN 'failure'
            WHEN bool_or(s.state = 'pending') OR count(s.id) = 0 THEN 'pending'
            ELSE 'success' END`;

export class CommitStatusesDao {
  constructor(private readonly db: DataSource) {}

  /**
   * Records the state of one context on a commit: the row of (repository, commit, context) is
   * created or replaced (ON CONFLICT on `commit_statuses_repo_id_commit_sha_context_key`).
   */
  async upsert(input: CommitStatusInput, tx?: Tx): Promise<CommitStatus> {
    const data = parseInput(upsertSchema, input);
    return inTransaction(tx ?? this.db, async (manager) => {
      const rows = await manager.query(
        `INSERT INTO commit_statuses (repo_id, commit_sha, context, state, description, target_url, creator_id, workflow_run_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (repo_id, commit_sha, context) DO UPDATE
            SET state = EXCLUDED.state, description = EXCLUDED.description, target_url = EXCLUDED.target_url,
                creator_id = EXCLUDED.creator_id, workflow_run_id = EXCLUDED.workflow_run_id
         RETURNING *`,
        [
          data.repoId,
          data.commitSha,
          data.context,
          data.state,
          data.description,
          data.targetUrl,
          data.creatorId,
          data.workflowRunId,
        ],
      );
      return hydrate(manager, CommitStatus, rows[0]);
    });
  }

  /** The statuses of a commit, one per context, ordered by context. */
  listForCommit(repoId: number, commitSha: string, tx?: Tx): Promise<CommitStatus[]> {
    parseInput(idSchema, repoId);
    parseInput(commitShaSchema, commitSha);
    return (tx ?? this.db.manager).find(CommitStatus, { where: { repoId, commitSha }, order: { context: 'ASC' } });
  }

  /** The combined state of a commit, computed by the database. */
  async combinedStatus(repoId: number, commitSha: string, tx?: Tx): Promise<CombinedStatus> {
    return (await this.combinedStatuses(repoId, [commitSha], tx)).get(commitSha) as CombinedStatus;
  }

  /** The combined state of each of several commits (a list of pull requests, say) in one query. */
  async combinedStatuses(repoId: number, commitShas: string[], tx?: Tx): Promise<Map<string, CombinedStatus>> {
    parseInput(idSchema, repoId);
    parseInput(z.array(commitShaSchema).min(1).max(1000), commitShas);
    const rows: { sha: string; state: CommitStatusState; total: number }[] = await (tx ?? this.db.manager).query(
      `SELECT wanted.sha, ${COMBINED_STATE_SQL} AS state, count(s.id)::int AS total
         FROM unnest($2::text[]) AS wanted (sha)
         LEFT JOIN commit_statuses s ON s.repo_id = $1 AND s.commit_sha = wanted.sha
        GROUP BY wanted.sha`,
      [repoId, commitShas],
    );
    return new Map(rows.map((row) => [row.sha, { state: row.state, total: row.total }]));
  }
}
