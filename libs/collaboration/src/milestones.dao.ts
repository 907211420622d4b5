import { z } from 'zod';
import type { DataSource } from 'typeorm';
import { inTransaction, NotFoundError, parseInput, type Tx, hydrate } from '@plue/db';
import { Milestone } from './entities/milestone.entity';
import { rowsOf } from './result-rows';
import { idSchema, textSchema } from './validation';

const titleSchema = textSchema(1, 255, { nonBlank: true });
const descriptionSchema = textSchema(0, 65536).nullable();
/** A calendar date, YYYY-MM-DD. */
const dueDateSchema = z.iso.date().nullable();

const createMilestoneSchema = z
  .object({
    repoId: idSchema,
    title: titleSchema,
    description: descriptionSchema.default(null),
    dueDate: dueDateSchema.default(null),
  })
  .strict();
export type CreateMilestone = z.input<typeof createMilestoneSchema>;

const updateMilestoneSchema = z
  .object({ title: titleSchema, description: descriptionSchema, dueDate: dueDateSchema })
  .partial()
  .strict();
export type UpdateMilestone = z.input<typeof updateMilestoneSchema>;

/** Milestones of a repository (titles unique per repository, case-insensitively); open or closed. */
export class MilestonesDao {
  constructor(private readonly db: DataSource) {}

  async create(data: CreateMilestone, tx?: Tx): Promise<Milestone> {
    const input = parseInput(createMilestoneSchema, data);
    return inTransaction(tx ?? this.db, async (manager) => {
      const [row] = rowsOf(
        await manager.query(
          'INSERT INTO milestones (repo_id, title, description, due_date) VALUES ($1, $2, $3, $4) RETURNING *',
          [input.repoId, input.title, input.description, input.dueDate],
        ),
      );
      return hydrate(manager, Milestone, row);
    });
  }

  /** The milestone, or null. */
  async getById(id: number, tx?: Tx): Promise<Milestone | null> {
    return (tx ?? this.db.manager).findOneBy(Milestone, { id: parseInput(idSchema, id) });
  }

  /** A repository's milestones: by due date (undated last), then title. */
  async list(repoId: number, state: 'open' | 'closed' | 'all' = 'open', tx?: Tx): Promise<Milestone[]> {
    const input = parseInput(z.object({ repoId: idSchema, state: z.enum(['open', 'closed', 'all']) }), {
      repoId,
      state,
    });
    const manager = tx ?? this.db.manager;
    const rows = rowsOf(
      await manager.query(
        `SELECT * FROM milestones WHERE repo_id = $1 AND ($2 = 'all' OR state = $2)
          ORDER BY due_date NULLS LAST, lower(title), id`,
        [input.repoId, input.state],
      ),
    );
    return rows.map((row) => hydrate(manager, Milestone, row));
  }

  async update(id: number, data: UpdateMilestone, tx?: Tx): Promise<Milestone> {
    const milestoneId = parseInput(idSchema, id);
    const input = parseInput(updateMilestoneSchema, data);
    const columns = { title: 'title', description: 'description', dueDate: 'due_date' } as const;
    const assignments: string[] = [];
    const params: unknown[] = [milestoneId];
    for (const [field, column] of Object.entries(columns)) {
      const value = input[field as keyof typeof columns];
      if (value === undefined) continue;
      params.push(value);
      assignments.push(`${column} = $${params.length}`);
    }
    return this.write(
      milestoneId,
      assignments.length
        ? `UPDATE milestones SET ${assignments.join(', ')} WHERE id = $1 RETURNING *`
        : 'SELECT * FROM milestones WHERE id = $1',
      params,
      tx,
    );
  }

  /** Closes the milestone (closed_at = now); closing a closed milestone keeps its closed_at. */
  async close(id: number, tx?: Tx): Promise<Milestone> {
    const milestoneId = parseInput(idSchema, id);
    return this.write(
      milestoneId,
      `UPDATE milestones SET state = 'closed', closed_at = coalesce(closed_at, now()) WHERE id = $1 RETURNING *`,
      [milestoneId],
      tx,
    );
  }

  async reopen(id: number, tx?: Tx): Promise<Milestone> {
    const milestoneId = parseInput(idSchema, id);
    return this.write(
      milestoneId,
      `UPDATE milestones SET state = 'open', closed_at = NULL WHERE id = $1 RETURNING *`,
      [milestoneId],
      tx,
    );
  }

  /** Deletes the milestone (its issues keep existing, without milestone); false when it did not exist. */
  async delete(id: number, tx?: Tx): Promise<boolean> {
    const milestoneId = parseInput(idSchema, id);
    return inTransaction(tx ?? this.db, async (manager) => {
      return rowsOf(await manager.query('DELETE FROM milestones WHERE id = $1 RETURNING id', [milestoneId])).length > 0;
    });
  }

  /** Per milestone: how many of its issues are open and closed. */
  async progress(id: number, tx?: Tx): Promise<{ open: number; closed: number }> {
    const [row] = rowsOf(
      await (tx ?? this.db.manager).query(
        `SELECT count(*) FILTER (WHERE state = 'open')::int AS open, count(*) FILTER (WHERE state = 'closed')::int AS closed
           FROM issues WHERE milestone_id = $1`,
        [parseInput(idSchema, id)],
      ),
    );
    return { open: Number(row.open), closed: Number(row.closed) };
  }

  private async write(id: number, sql: string, params: unknown[], tx?: Tx): Promise<Milestone> {
    return inTransaction(tx ?? this.db, async (manager) => {
      const [row] = rowsOf(await manager.query(sql, params));
      if (!row) throw new NotFoundError(`milestone ${id} does not exist`, { field: 'id' });
      return hydrate(manager, Milestone, row);
    });
  }
}
