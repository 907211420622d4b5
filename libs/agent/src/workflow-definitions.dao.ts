import { inTransaction, NotFoundError, parseInput, type Tx, queryEntities } from '@plue/db';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { WorkflowDefinition } from './entities/workflow-definition.entity';
import { idSchema } from './input-schemas';
import { parseWorkflowPlan } from './workflow-plan';
import { parseWorkflowEvent, triggersMatch, workflowTriggersSchema, type WorkflowEvent } from './workflow-triggers';

const upsertSchema = z.strictObject({
  repoId: idSchema,
  name: z
    .string()
    .min(1)
    .max(255)
    .refine((name) => name.trim() !== '', 'must not be blank'),
  filePath: z
    .string()
    .min(1)
    .max(1024)
    .refine((path) => !/(^\/|(^|\/)\.\.(\/|$))/.test(path), 'must be a relative path inside the repository'),
  triggers: z.unknown(),
  plan: z.unknown(),
  contentHash: z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase hex SHA-256'),
});
const triggersFieldSchema = z.object({ triggers: workflowTriggersSchema });
export type UpsertWorkflowDefinitionData = z.input<typeof upsertSchema>;

/** Workflow files of repositories: their triggers and step DAG, one row per (repository, file path). */
export class WorkflowDefinitionsDao {
  constructor(private readonly db: DataSource) {}

  /**
   * Creates or replaces the definition stored for (repoId, filePath) and makes it active. The plan
   * and triggers are validated first (a ValidationError names the offending step ids or fields).
   */
  async upsert(data: UpsertWorkflowDefinitionData, tx?: Tx): Promise<WorkflowDefinition> {
    const input = parseInput(upsertSchema, data);
    // Parsed under its own key so that an issue names the field from the request's root (`triggers.0.mentions`).
    const { triggers } = parseInput(triggersFieldSchema, { triggers: input.triggers });
    const plan = parseWorkflowPlan(input.plan);
    return inTransaction(tx ?? this.db, async (manager) => {
      const [definition] = await queryEntities(
        manager,
        WorkflowDefinition,
        `INSERT INTO workflow_definitions (repo_id, name, file_path, triggers, plan, content_hash)
         VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6)
         ON CONFLICT (repo_id, file_path) DO UPDATE
            SET name = excluded.name, triggers = excluded.triggers, plan = excluded.plan,
                content_hash = excluded.content_hash, is_active = true
         RETURNING *`,
        [input.repoId, input.name, input.filePath, JSON.stringify(triggers), JSON.stringify(plan), input.contentHash],
      );
      return definition;
    });
  }

  /** The definition, or null. */
  async getById(id: number, tx?: Tx): Promise<WorkflowDefinition | null> {
    const definitionId = parseInput(idSchema, id);
    return (tx ?? this.db.manager).findOneBy(WorkflowDefinition, { id: definitionId });
  }

  /** The repository's definitions by file path; inactive ones only when asked for. */
  async listForRepo(
    repoId: number,
    options: { includeInactive?: boolean } = {},
    tx?: Tx,
  ): Promise<WorkflowDefinition[]> {
    const repo = parseInput(idSchema, repoId);
    const { includeInactive } = parseInput(z.strictObject({ includeInactive: z.boolean().default(false) }), options);
    return queryEntities(
      tx ?? this.db.manager,
      WorkflowDefinition,
      'SELECT * FROM workflow_definitions WHERE repo_id = $1 AND ($2 OR is_active) ORDER BY file_path',
      [repo, includeInactive],
    );
  }

  /**
   * Stops a definition from matching events (its file was removed). Runs keep their definition,
   * which is why definitions with runs are deactivated rather than deleted.
   */
  async deactivate(id: number, tx?: Tx): Promise<WorkflowDefinition> {
    const definitionId = parseInput(idSchema, id);
    return inTransaction(tx ?? this.db, async (manager) => {
      const [definition] = await queryEntities(
        manager,
        WorkflowDefinition,
        'UPDATE workflow_definitions SET is_active = false WHERE id = $1 RETURNING *',
        [definitionId],
      );
      if (!definition) throw new NotFoundError(`workflow definition ${definitionId} not found`, { field: 'id' });
      return definition;
    });
  }

  /**
   * The repository's active definitions with a trigger matching the event: event type AND its
   * filters (branch globs, action types). SQL narrows by event type; the filters are applied here.
   */
  async findMatching(repoId: number, event: WorkflowEvent, tx?: Tx): Promise<WorkflowDefinition[]> {
    const repo = parseInput(idSchema, repoId);
    const matchEvent = parseWorkflowEvent(event);
    const manager = tx ?? this.db.manager;
    const candidates = await queryEntities(
      manager,
      WorkflowDefinition,
      `SELECT * FROM workflow_definitions
        WHERE repo_id = $1 AND is_active AND triggers @> $2::jsonb
        ORDER BY file_path`,
      [repo, JSON.stringify([{ event: matchEvent.type }])],
    );
    return candidates.filter((definition) => {
      // Rows written around this DAO (imports, fixtures) may hold triggers it would refuse: those match nothing.
      const triggers = workflowTriggersSchema.safeParse(definition.triggers);
      return triggers.success && triggersMatch(triggers.data, matchEvent);
    });
  }
}
