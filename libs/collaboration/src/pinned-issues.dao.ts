import { z } from 'zod';
import type { DataSource } from 'typeorm';
import { ConflictError, inTransaction, NotFoundError, parseInput, ValidationError, type Tx, hydrate } from '@plue/db';
import { PinnedIssue } from './entities/pinned-issue.entity';
import { rowsOf } from './result-rows';
import { recordIssueEvent } from './issue-events.dao';
import { idSchema } from './validation';

/** At most this many issues are pinned in one repository (pinned_issues_pin_order_check). */
export const MAX_PINNED_ISSUES = 3;

/**
 * Pinned issues: at most 3 per repository, numbered 1..n without gaps. Pinning appends; unpinning
 * deletes and the database renumbers the remaining pins (trigger compact_pinned_issues). Pin changes
 * of one repository are serialized by a transaction-level advisory lock, so concurrent pinning can
 * never exceed the limit or collide on a number.
 */
export class PinnedIssuesDao {
  constructor(private readonly db: DataSource) {}

  /** A repository's pins in order. */
  async list(repoId: number, tx?: Tx): Promise<PinnedIssue[]> {
    const manager = tx ?? this.db.manager;
    const rows = rowsOf(
      await manager.query('SELECT * FROM pinned_issues WHERE repo_id = $1 ORDER BY pin_order', [
        parseInput(idSchema, repoId),
      ]),
    );
    return rows.map((row) => hydrate(manager, PinnedIssue, row));
  }

  /**
   * Pins the issue at the end of its repository's pins (an already pinned issue stays where it is).
   * ConflictError when the repository already has 3 pinned issues.
   */
  async pin(issueId: number, actorId: number | null = null, tx?: Tx): Promise<PinnedIssue> {
    const input = parseInput(z.object({ issueId: idSchema, actorId: idSchema.nullable() }), { issueId, actorId });
    return inTransaction(tx ?? this.db, async (manager) => {
      const repoId = await this.lockRepositoryOfIssue(manager, input.issueId);
      const pins = await this.list(repoId, manager);
      const existing = pins.find((pin) => pin.issueId === input.issueId);
      if (existing) return existing;
      if (pins.length >= MAX_PINNED_ISSUES) {
        throw new ConflictError(
          `repository ${repoId} already has ${MAX_PINNED_ISSUES} pinned issues: unpin one before pinning another`,
          { field: 'issueId', constraint: 'pinned_issues_pin_order_check' },
        );
      }
      const [row] = rowsOf(
        await manager.query(
          'INSERT INTO pinned_issues (repo_id, issue_id, pin_order) VALUES ($1, $2, $3) RETURNING *',
          [repoId, input.issueId, pins.length + 1],
        ),
      );
      await recordIssueEvent(manager, input.issueId, input.actorId, 'pinned');
      return hydrate(manager, PinnedIssue, row);
    });
  }

  /** Unpins the issue (the others move up); false when it was not pinned. */
  async unpin(issueId: number, actorId: number | null = null, tx?: Tx): Promise<boolean> {
    const input = parseInput(z.object({ issueId: idSchema, actorId: idSchema.nullable() }), { issueId, actorId });
    return inTransaction(tx ?? this.db, async (manager) => {
      await this.lockRepositoryOfIssue(manager, input.issueId);
      const deleted = rowsOf(
        await manager.query('DELETE FROM pinned_issues WHERE issue_id = $1 RETURNING id', [input.issueId]),
      );
      if (deleted.length) await recordIssueEvent(manager, input.issueId, input.actorId, 'unpinned');
      return deleted.length > 0;
    });
  }

  /** Puts the repository's pins in the order of `issueIds`, which must be exactly its pinned issues. */
  async reorder(repoId: number, issueIds: number[], tx?: Tx): Promise<PinnedIssue[]> {
    const input = parseInput(
      z.object({
        repoId: idSchema,
        issueIds: z
          .array(idSchema)
          .min(1)
          .max(MAX_PINNED_ISSUES)
          .refine((ids) => new Set(ids).size === ids.length, 'must not repeat an issue'),
      }),
      { repoId, issueIds },
    );
    return inTransaction(tx ?? this.db, async (manager) => {
      await lockPins(manager, input.repoId);
      const pinned = (await this.list(input.repoId, manager)).map((pin) => pin.issueId);
      if (pinned.length !== input.issueIds.length || !input.issueIds.every((id) => pinned.includes(id))) {
        throw new ValidationError([
          { field: 'issueIds', message: `must list exactly the pinned issues of repository ${input.repoId}` },
        ]);
      }
      // The unique (repo_id, pin_order) is checked at commit, so numbers may be swapped freely here.
      await manager.query(
        `UPDATE pinned_issues p SET pin_order = o.position
           FROM unnest($2::bigint[]) WITH ORDINALITY AS o (issue_id, position)
          WHERE p.repo_id = $1 AND p.issue_id = o.issue_id AND p.pin_order <> o.position`,
        [input.repoId, input.issueIds],
      );
      return this.list(input.repoId, manager);
    });
  }

  private async lockRepositoryOfIssue(manager: Tx, issueId: number): Promise<number> {
    const [issue] = rowsOf(await manager.query('SELECT repo_id FROM issues WHERE id = $1', [issueId]));
    if (!issue) throw new NotFoundError(`issue ${issueId} does not exist`, { field: 'issueId' });
    const repoId = Number(issue.repo_id);
    await lockPins(manager, repoId);
    return repoId;
  }
}

/**
 * Serializes pin changes of one repository until commit. (plue_collaboration may not lock the
 * repositories row, which git-service owns; hence an advisory lock keyed by the table and the
 * repository. Two repositories whose ids collide modulo 2^31 merely share a lock.)
 */
async function lockPins(manager: Tx, repoId: number): Promise<void> {
  await manager.query(
    `SELECT pg_advisory_xact_lock('public.pinned_issues'::regclass::oid::integer, ($1::bigint % 2147483647)::integer)`,
    [repoId],
  );
}
