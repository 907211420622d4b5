import { z } from 'zod';
import type { DataSource } from 'typeorm';
import {
  ConflictError,
  inTransaction,
  MissingReferenceError,
  NotFoundError,
  parseInput,
  type Tx,
  hydrate,
} from '@plue/db';
import { Label } from './entities/label.entity';
import { DEFAULT_LABELS } from './default-labels';
import { rowsOf } from './result-rows';
import { recordIssueEvent } from './issue-events.dao';
import { clashingExclusiveLabels, exclusiveScope } from './label-scopes';
import { idSchema, textSchema } from './validation';

const colorSchema = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a #rrggbb color');
const labelNameSchema = textSchema(1, 50, { nonBlank: true });
const descriptionSchema = textSchema(0, 255).nullable();

const createLabelSchema = z
  .object({
    repoId: idSchema,
    name: labelNameSchema,
    color: colorSchema,
    description: descriptionSchema.default(null),
    exclusive: z.boolean().default(false),
  })
  .strict();
export type CreateLabel = z.input<typeof createLabelSchema>;

const updateLabelSchema = z
  .object({ name: labelNameSchema, color: colorSchema, description: descriptionSchema, exclusive: z.boolean() })
  .partial()
  .strict();
export type UpdateLabel = z.input<typeof updateLabelSchema>;

const issueLabelsSchema = z.object({
  issueId: idSchema,
  labelIds: z.array(idSchema).max(50),
  actorId: idSchema.nullable(),
});

export interface IssueLabelChange {
  added: number[];
  removed: number[];
}

/**
 * Labels of a repository (unique name per repository, case-insensitively; `#rrggbb` colors) and the
 * labels applied to issues. Applying an exclusive "scope/value" label removes the issue's other
 * label of that scope (see label-scopes.ts). Label changes on an issue are recorded as
 * labeled/unlabeled events.
 */
export class LabelsDao {
  constructor(private readonly db: DataSource) {}

  async create(data: CreateLabel, tx?: Tx): Promise<Label> {
    const input = parseInput(createLabelSchema, data);
    return inTransaction(tx ?? this.db, async (manager) => {
      const [row] = rowsOf(
        await manager.query(
          'INSERT INTO labels (repo_id, name, color, description, exclusive) VALUES ($1, $2, $3, $4, $5) RETURNING *',
          [input.repoId, input.name, input.color, input.description, input.exclusive],
        ),
      );
      return hydrate(manager, Label, row);
    });
  }

  /** The label, or null. */
  async getById(id: number, tx?: Tx): Promise<Label | null> {
    return (tx ?? this.db.manager).findOneBy(Label, { id: parseInput(idSchema, id) });
  }

  /** A repository's labels by name (alphabetically, case-insensitively). */
  async list(repoId: number, tx?: Tx): Promise<Label[]> {
    const manager = tx ?? this.db.manager;
    const rows = rowsOf(
      await manager.query('SELECT * FROM labels WHERE repo_id = $1 ORDER BY lower(name), id', [
        parseInput(idSchema, repoId),
      ]),
    );
    return rows.map((row) => hydrate(manager, Label, row));
  }

  /** Changes the given fields; throws NotFoundError for an unknown label. */
  async update(id: number, data: UpdateLabel, tx?: Tx): Promise<Label> {
    const labelId = parseInput(idSchema, id);
    const input = parseInput(updateLabelSchema, data);
    return inTransaction(tx ?? this.db, async (manager) => {
      const columns = { name: 'name', color: 'color', description: 'description', exclusive: 'exclusive' } as const;
      const assignments: string[] = [];
      const params: unknown[] = [labelId];
      for (const [field, column] of Object.entries(columns)) {
        const value = input[field as keyof typeof columns];
        if (value === undefined) continue;
        params.push(value);
        assignments.push(`${column} = $${params.length}`);
      }
      const sql = assignments.length
        ? `UPDATE labels SET ${assignments.join(', ')} WHERE id = $1 RETURNING *`
        : 'SELECT * FROM labels WHERE id = $1';
      const [row] = rowsOf(await manager.query(sql, params));
      if (!row) throw new NotFoundError(`label ${labelId} does not exist`, { field: 'id' });
      return hydrate(manager, Label, row);
    });
  }

  /** Deletes the label (and its uses on issues); false when it did not exist. */
  async delete(id: number, tx?: Tx): Promise<boolean> {
    const labelId = parseInput(idSchema, id);
    return inTransaction(tx ?? this.db, async (manager) => {
      return rowsOf(await manager.query('DELETE FROM labels WHERE id = $1 RETURNING id', [labelId])).length > 0;
    });
  }

  /**
   * Creates the default labels (DEFAULT_LABELS) a repository lacks, leaving labels of the same name
   * (in any case) as they are; safe to run again. Returns the labels it created.
   */
  async createDefaults(repoId: number, tx?: Tx): Promise<Label[]> {
    const id = parseInput(idSchema, repoId);
    return inTransaction(tx ?? this.db, async (manager) => {
      const rows = rowsOf(
        await manager.query(
          `INSERT INTO labels (repo_id, name, color, description)
           SELECT $1, d.name, d.color, d.description
             FROM unnest($2::text[], $3::text[], $4::text[]) AS d (name, color, description)
           ON CONFLICT (repo_id, lower(name)) DO NOTHING
           RETURNING *`,
          [
            id,
            DEFAULT_LABELS.map((l) => l.name),
            DEFAULT_LABELS.map((l) => l.color),
            DEFAULT_LABELS.map((l) => l.description),
          ],
        ),
      );
      return rows.map((row) => hydrate(manager, Label, row));
    });
  }

  /** Labels applied to an issue, by name. */
  async listForIssue(issueId: number, tx?: Tx): Promise<Label[]> {
    const manager = tx ?? this.db.manager;
    const rows = rowsOf(
      await manager.query(
        `SELECT l.* FROM issue_labels il JOIN labels l ON l.id = il.label_id
          WHERE il.issue_id = $1 ORDER BY lower(l.name), l.id`,
        [parseInput(idSchema, issueId)],
      ),
    );
    return rows.map((row) => hydrate(manager, Label, row));
  }

  /** Applies labels of the issue's repository to the issue (already applied ones are kept). */
  async addToIssue(
    issueId: number,
    labelIds: number[],
    actorId: number | null = null,
    tx?: Tx,
  ): Promise<IssueLabelChange> {
    const input = parseInput(issueLabelsSchema, { issueId, labelIds, actorId });
    return inTransaction(tx ?? this.db, async (manager) => {
      const wanted = await this.lockIssueAndLoadLabels(manager, input.issueId, input.labelIds);
      const current = await this.labelsOnIssue(manager, input.issueId);
      const displaced = current.filter((label) => {
        const scope = exclusiveScope(label);
        return scope !== null && wanted.some((w) => w.id !== label.id && exclusiveScope(w) === scope);
      });
      return this.applyChange(
        manager,
        input.issueId,
        input.actorId,
        wanted.map((l) => l.id),
        displaced.map((l) => l.id),
      );
    });
  }

  /** Takes labels off the issue (labels it does not have are ignored). */
  async removeFromIssue(
    issueId: number,
    labelIds: number[],
    actorId: number | null = null,
    tx?: Tx,
  ): Promise<IssueLabelChange> {
    const input = parseInput(issueLabelsSchema, { issueId, labelIds, actorId });
    return inTransaction(tx ?? this.db, async (manager) => {
      await this.lockIssue(manager, input.issueId);
      return this.applyChange(manager, input.issueId, input.actorId, [], input.labelIds);
    });
  }

  /** Makes the issue's labels exactly `labelIds`. */
  async setForIssue(
    issueId: number,
    labelIds: number[],
    actorId: number | null = null,
    tx?: Tx,
  ): Promise<IssueLabelChange> {
    const input = parseInput(issueLabelsSchema, { issueId, labelIds, actorId });
    return inTransaction(tx ?? this.db, async (manager) => {
      const wanted = await this.lockIssueAndLoadLabels(manager, input.issueId, input.labelIds);
      const current = await this.labelsOnIssue(manager, input.issueId);
      const keep = new Set(wanted.map((l) => l.id));
      return this.applyChange(
        manager,
        input.issueId,
        input.actorId,
        [...keep],
        current.filter((l) => !keep.has(l.id)).map((l) => l.id),
      );
    });
  }

  /**
   * Locks the issue (label changes of one issue queue up, so the exclusive-scope rule holds under
   * concurrency) and loads the requested labels, which must belong to the issue's repository.
   */
  private async lockIssueAndLoadLabels(manager: Tx, issueId: number, labelIds: number[]): Promise<Label[]> {
    const repoId = await this.lockIssue(manager, issueId);
    const distinct = [...new Set(labelIds)];
    const rows = rowsOf(
      await manager.query('SELECT * FROM labels WHERE repo_id = $1 AND id = ANY($2::bigint[])', [repoId, distinct]),
    );
    const labels = rows.map((row) => hydrate(manager, Label, row));
    const missing = distinct.filter((id) => !labels.some((label) => label.id === id));
    if (missing.length) {
      throw new MissingReferenceError(`label(s) ${missing.join(', ')} do not exist in the issue's repository`, {
        field: 'labelIds',
        constraint: 'issue_labels_label_id_fkey',
      });
    }
    const clash = clashingExclusiveLabels(labels);
    if (clash) {
      throw new ConflictError(
        `labels "${clash[0].name}" and "${clash[1].name}" are exclusive: an issue can have only one of them`,
        {
          field: 'labelIds',
        },
      );
    }
    return labels;
  }

  private async lockIssue(manager: Tx, issueId: number): Promise<number> {
    const [issue] = rowsOf(
      await manager.query('SELECT repo_id FROM issues WHERE id = $1 FOR NO KEY UPDATE', [issueId]),
    );
    if (!issue) throw new NotFoundError(`issue ${issueId} does not exist`, { field: 'issueId' });
    return Number(issue.repo_id);
  }

  private async labelsOnIssue(manager: Tx, issueId: number): Promise<Label[]> {
    const rows = rowsOf(
      await manager.query(
        'SELECT l.* FROM issue_labels il JOIN labels l ON l.id = il.label_id WHERE il.issue_id = $1',
        [issueId],
      ),
    );
    return rows.map((row) => hydrate(manager, Label, row));
  }

  private async applyChange(
    manager: Tx,
    issueId: number,
    actorId: number | null,
    add: number[],
    remove: number[],
  ): Promise<IssueLabelChange> {
    const removed = rowsOf(
      await manager.query(
        'DELETE FROM issue_labels WHERE issue_id = $1 AND label_id = ANY($2::bigint[]) RETURNING label_id',
        [issueId, remove],
      ),
    ).map((row) => Number(row.label_id));
    const added = rowsOf(
      await manager.query(
        `INSERT INTO issue_labels (issue_id, label_id) SELECT $1, unnest($2::bigint[])
         ON CONFLICT ON CONSTRAINT issue_labels_pkey DO NOTHING RETURNING label_id`,
        [issueId, add],
      ),
    ).map((row) => Number(row.label_id));
    for (const labelId of removed) await recordIssueEvent(manager, issueId, actorId, 'unlabeled', { labelId });
    for (const labelId of added) await recordIssueEvent(manager, issueId, actorId, 'labeled', { labelId });
    return { added, removed };
  }
}
