import { z } from 'zod';
import type { DataSource } from 'typeorm';
import { ConflictError, DomainError, inTransaction, parseInput, type Tx, hydrate } from '@plue/db';
import { Issue } from './entities/issue.entity';
import { IssueDependency } from './entities/issue-dependency.entity';
import { rowsOf } from './result-rows';
import { issueColumns } from './issue-columns';
import { recordIssueEvent } from './issue-events.dao';
import { idSchema } from './validation';

/** The trigger that keeps the dependency graph acyclic names this constraint in its error. */
export const NO_CYCLE_CONSTRAINT = 'issue_dependencies_no_cycle_check';

const edgeSchema = z
  .object({ issueId: idSchema, dependsOnIssueId: idSchema, actorId: idSchema.nullable().default(null) })
  .strict()
  .refine((edge) => edge.issueId !== edge.dependsOnIssueId, {
    message: 'an issue cannot depend on itself',
    path: ['dependsOnIssueId'],
  });
export type IssueDependencyInput = z.input<typeof edgeSchema>;

/**
 * "issueId depends on (is blocked by) dependsOnIssueId". The database refuses an edge that would
 * close a cycle of any length (trigger prevent_issue_dependency_cycle, serialized by an advisory
 * lock); that refusal becomes a ConflictError naming `issue_dependencies_no_cycle_check`.
 * Writes run in READ COMMITTED transactions (the default), which the trigger requires.
 */
export class IssueDependenciesDao {
  constructor(private readonly db: DataSource) {}

  /** Adds the dependency (an existing one is returned as is) and records dependency_added. */
  async add(data: IssueDependencyInput, tx?: Tx): Promise<IssueDependency> {
    const input = parseInput(edgeSchema, data);
    try {
      return await inTransaction(tx ?? this.db, async (manager) => {
        const [row] = rowsOf(
          await manager.query(
            `INSERT INTO issue_dependencies (issue_id, depends_on_issue_id) VALUES ($1, $2)
             ON CONFLICT ON CONSTRAINT issue_dependencies_issue_id_depends_on_issue_id_key DO NOTHING RETURNING *`,
            [input.issueId, input.dependsOnIssueId],
          ),
        );
        if (!row) {
          return manager.findOneByOrFail(IssueDependency, {
            issueId: input.issueId,
            dependsOnIssueId: input.dependsOnIssueId,
          });
        }
        await recordIssueEvent(manager, input.issueId, input.actorId, 'dependency_added', {
          dependsOnIssueId: input.dependsOnIssueId,
        });
        return hydrate(manager, IssueDependency, row);
      });
    } catch (error) {
      if (error instanceof DomainError && error.details.constraint === NO_CYCLE_CONSTRAINT) {
        throw new ConflictError(error.message, { ...error.details, field: 'dependsOnIssueId' });
      }
      throw error;
    }
  }

  /** Removes the dependency and records dependency_removed; false when there was none. */
  async remove(data: IssueDependencyInput, tx?: Tx): Promise<boolean> {
    const input = parseInput(edgeSchema, data);
    return inTransaction(tx ?? this.db, async (manager) => {
      const deleted = rowsOf(
        await manager.query(
          'DELETE FROM issue_dependencies WHERE issue_id = $1 AND depends_on_issue_id = $2 RETURNING id',
          [input.issueId, input.dependsOnIssueId],
        ),
      );
      if (deleted.length) {
        await recordIssueEvent(manager, input.issueId, input.actorId, 'dependency_removed', {
          dependsOnIssueId: input.dependsOnIssueId,
        });
      }
      return deleted.length > 0;
    });
  }

  /** The issues that block `issueId` (it depends on them). */
  async listBlockers(issueId: number, tx?: Tx): Promise<Issue[]> {
    return this.related('d.issue_id = $1 AND i.id = d.depends_on_issue_id', issueId, tx);
  }

  /** The issues that `issueId` blocks (they depend on it). */
  async listBlocked(issueId: number, tx?: Tx): Promise<Issue[]> {
    return this.related('d.depends_on_issue_id = $1 AND i.id = d.issue_id', issueId, tx);
  }

  /** Whether `issueId` still has an open blocker. */
  async isBlocked(issueId: number, tx?: Tx): Promise<boolean> {
    const [row] = rowsOf(
      await (tx ?? this.db.manager).query(
        `SELECT EXISTS (SELECT FROM issue_dependencies d JOIN issues i ON i.id = d.depends_on_issue_id
                         WHERE d.issue_id = $1 AND i.state = 'open') AS blocked`,
        [parseInput(idSchema, issueId)],
      ),
    );
    return row.blocked === true;
  }

  private async related(condition: string, issueId: number, tx?: Tx): Promise<Issue[]> {
    const manager = tx ?? this.db.manager;
    const rows = rowsOf(
      await manager.query(
        `SELECT ${issueColumns('i')} FROM issue_dependencies d, issues i WHERE ${condition} ORDER BY d.created_at, d.id`,
        [parseInput(idSchema, issueId)],
      ),
    );
    return rows.map((row) => hydrate(manager, Issue, row));
  }
}
