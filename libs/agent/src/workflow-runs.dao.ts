import {
  ConflictError,
  inTransaction,
  NotFoundError,
  parseInput,
  type Tx,
  hydrate,
  queryEntities,
  queryRows,
} from '@plue/db';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { WorkflowDefinition } from './entities/workflow-definition.entity';
import { WORKFLOW_TRIGGER_TYPES, WorkflowRun } from './entities/workflow-run.entity';
import { WorkflowStep } from './entities/workflow-step.entity';
import { idSchema } from './input-schemas';
import { ACTIVE_RUN_STATUSES } from './workflow-run-progress';
import { parseWorkflowPlan, stepConfigOf, topologicalOrder } from './workflow-plan';

// Built once: constructing a zod schema costs more than the query's own client work on this path.
const recentRunsLimitSchema = z.number().int().min(1).max(100);

const triggerSchema = z.strictObject({
  type: z.enum(WORKFLOW_TRIGGER_TYPES),
  payload: z.record(z.string(), z.unknown()).default({}),
  /** The branch the run is for. */
  ref: z.string().min(1).max(1024).optional(),
  headCommitId: z
    .string()
    .regex(/^([0-9a-f]{40}|[0-9a-f]{64})$/, 'must be a lowercase hex commit id')
    .optional(),
});
export type WorkflowRunTrigger = z.input<typeof triggerSchema>;

/** A run as the seed's "recent workflow runs" query returns it: with its workflow's name. */
export type WorkflowRunWithName = WorkflowRun & { workflowName: string };

/** Executions of workflow definitions, numbered per definition by the database. */
export class WorkflowRunsDao {
  constructor(private readonly db: DataSource) {}

  /**
   * Creates a run of an active definition and all the steps of its plan in one transaction; the
   * run number comes from the definition's counter (a failed creation burns no number). Steps
   * without dependencies start `ready` (claimable at once), the others `pending` until all their
   * dependencies succeed. The run is returned with `run.steps` in topological order.
   * NotFoundError for an unknown definition, ConflictError for a deactivated one, ValidationError
   * when the stored plan is not a valid DAG.
   */
  async createRun(
    definition: Pick<WorkflowDefinition, 'id'>,
    trigger: WorkflowRunTrigger,
    tx?: Tx,
  ): Promise<WorkflowRun> {
    const definitionId = parseInput(idSchema, definition.id);
    const input = parseInput(triggerSchema, trigger);
    return inTransaction(tx ?? this.db, async (manager) => {
      const [row] = await queryRows(
        manager,
        `INSERT INTO workflow_runs (repo_id, definition_id, trigger_type, trigger_payload, ref, head_commit_id)
         SELECT wd.repo_id, wd.id, $2, $3::jsonb, $4, $5 FROM workflow_definitions wd WHERE wd.id = $1 AND wd.is_active
         RETURNING *`,
        [definitionId, input.type, JSON.stringify(input.payload), input.ref ?? null, input.headCommitId ?? null],
      );
      // The run-number trigger has locked the definition row: its plan cannot change under us.
      const current = await manager.findOneBy(WorkflowDefinition, { id: definitionId });
      if (!current) throw new NotFoundError(`workflow definition ${definitionId} not found`, { field: 'definitionId' });
      if (!row) throw new ConflictError(`workflow definition ${definitionId} is not active`, { field: 'definitionId' });
      const run = hydrate(manager, WorkflowRun, row);
      const steps = topologicalOrder(parseWorkflowPlan(current.plan)).map((step) => ({
        step_key: step.id,
        name: step.name,
        type: step.type,
        config: stepConfigOf(step),
        depends_on: step.depends_on,
        status: step.depends_on.length === 0 ? 'ready' : 'pending',
      }));
      const inserted = await queryEntities(
        manager,
        WorkflowStep,
        `INSERT INTO workflow_steps (run_id, step_key, name, type, config, depends_on, status)
         SELECT $1, s.step_key, s.name, s.type, s.config,
                ARRAY(SELECT jsonb_array_elements_text(s.depends_on)), s.status
           FROM ROWS FROM (jsonb_to_recordset($2::jsonb)
                  AS (step_key text, name text, type text, config jsonb, depends_on jsonb, status text))
                WITH ORDINALITY AS s(step_key, name, type, config, depends_on, status, position)
          ORDER BY s.position
         RETURNING *`,
        [run.id, JSON.stringify(steps)],
      );
      run.steps = inserted.sort((a, b) => a.id - b.id);
      return run;
    });
  }

  /** The run, or null. */
  async getById(id: number, tx?: Tx): Promise<WorkflowRun | null> {
    const runId = parseInput(idSchema, id);
    return (tx ?? this.db.manager).findOneBy(WorkflowRun, { id: runId });
  }

  /** The run with `run.steps` in creation (topological) order; NotFoundError when it does not exist. */
  async getWithSteps(id: number, tx?: Tx): Promise<WorkflowRun> {
    const runId = parseInput(idSchema, id);
    return inTransaction(tx ?? this.db, async (manager) => {
      const run = await manager.findOneBy(WorkflowRun, { id: runId });
      if (!run) throw new NotFoundError(`workflow run ${runId} not found`, { field: 'id' });
      run.steps = await manager.find(WorkflowStep, { where: { runId }, order: { id: 'ASC' } });
      return run;
    });
  }

  /** The seed note's "recent workflow runs": the repository's newest runs with their workflow's name. */
  async recentRuns(repoId: number, limit = 20, tx?: Tx): Promise<WorkflowRunWithName[]> {
    const repo = parseInput(idSchema, repoId);
    const count = parseInput(recentRunsLimitSchema, limit);
    const manager = tx ?? this.db.manager;
    const rows = await queryRows<Record<string, unknown> & { workflow_name: string }>(
      manager,
      `SELECT wr.*, wd.name as workflow_name
       FROM workflow_runs wr
       JOIN workflow_definitions wd ON wd.id = wr.definition_id
       WHERE wr.repo_id = $1
       ORDER BY wr.created_at DESC
       LIMIT $2`,
      [repo, count],
    );
    return rows.map((row) => Object.assign(hydrate(manager, WorkflowRun, row), { workflowName: row.workflow_name }));
  }

  /**
   * Cancels a queued or running run: it completes as cancelled and its pending and ready steps are
   * cancelled, so no further step is handed out. Steps already claimed or running finish on their
   * runners; a claimed step of a cancelled run is refused when its runner tries to start it.
   * ConflictError when the run has already finished.
   */
  async cancel(id: number, tx?: Tx): Promise<WorkflowRun> {
    const runId = parseInput(idSchema, id);
    return inTransaction(tx ?? this.db, async (manager) => {
      const [run] = await queryEntities(manager, WorkflowRun, 'SELECT * FROM workflow_runs WHERE id = $1 FOR UPDATE', [
        runId,
      ]);
      if (!run) throw new NotFoundError(`workflow run ${runId} not found`, { field: 'id' });
      if (!(ACTIVE_RUN_STATUSES as readonly string[]).includes(run.status)) {
        throw new ConflictError(`workflow run ${runId} has already finished (${run.status})`, {
          field: 'status',
          from: run.status,
        });
      }
      await manager.query(
        `UPDATE workflow_steps SET status = 'cancelled', completed_at = now()
          WHERE run_id = $1 AND status IN ('pending', 'ready')`,
        [runId],
      );
      const [cancelled] = await queryEntities(
        manager,
        WorkflowRun,
        `UPDATE workflow_runs SET status = 'cancelled', completed_at = now() WHERE id = $1 RETURNING *`,
        [runId],
      );
      return cancelled;
    });
  }
}
