import { ConflictError, inTransaction, NotFoundError, parseInput, type Tx, queryEntities } from '@plue/db';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { Runner } from './entities/runner.entity';
import { WorkflowRun } from './entities/workflow-run.entity';
import { WorkflowStep } from './entities/workflow-step.entity';
import { idSchema } from './input-schemas';
import { ACTIVE_RUN_STATUSES, advanceRun } from './workflow-run-progress';

const resultSchema = z.strictObject({
  status: z.enum(['success', 'failure']),
  exitCode: z.number().int().min(-2_147_483_648).max(2_147_483_647).optional(),
  output: z.unknown().optional(),
  error: z.string().max(65_536).optional(),
});
export type WorkflowStepResult = z.input<typeof resultSchema>;

/**
 * Steps of workflow runs as runners execute them: ready → claimed (by a runner) → running →
 * success / failure. A step becomes ready when all its dependencies have succeeded; a failed step
 * skips its dependents; the run completes when its last step ends.
 */
export class WorkflowStepsDao {
  constructor(private readonly db: DataSource) {}

  async getById(id: number, tx?: Tx): Promise<WorkflowStep | null> {
    const stepId = parseInput(idSchema, id);
    return (tx ?? this.db.manager).findOneBy(WorkflowStep, { id: stepId });
  }

  /** The run's steps in creation (topological) order. */
  async listForRun(runId: number, tx?: Tx): Promise<WorkflowStep[]> {
    const run = parseInput(idSchema, runId);
    return (tx ?? this.db.manager).find(WorkflowStep, { where: { runId: run }, order: { id: 'ASC' } });
  }

  /**
   * Hands the oldest ready step of an active run to an available runner: the step becomes
   * `claimed` (attempt + 1) and the runner `claimed` by it, in one transaction. Concurrent
   * claimers never get the same step (FOR UPDATE SKIP LOCKED). Returns null when nothing is ready
   * (the poll still counts as the runner's heartbeat). NotFoundError for an unknown runner,
   * ConflictError when the runner is not available.
   */
  async claimNextReadyStep(runnerId: number, tx?: Tx): Promise<WorkflowStep | null> {
    const id = parseInput(idSchema, runnerId);
    return inTransaction(tx ?? this.db, async (manager) => {
      await this.lockRunner(manager, id, 'available');
      const [step] = await queryEntities(
        manager,
        WorkflowStep,
        `UPDATE workflow_steps s SET status = 'claimed', runner_id = $1, attempt = s.attempt + 1
          WHERE s.id = (SELECT c.id FROM workflow_steps c JOIN workflow_runs r ON r.id = c.run_id
                         WHERE c.status = 'ready' AND r.status = ANY ($2::text[])
                         ORDER BY c.created_at, c.id
                         LIMIT 1
                           FOR UPDATE OF c SKIP LOCKED)
          RETURNING s.*`,
        [id, ACTIVE_RUN_STATUSES],
      );
      await manager.query(
        step
          ? `UPDATE runner_pool SET status = 'claimed', claimed_by_step_id = $2, claimed_at = now(), last_heartbeat = now()
              WHERE id = $1`
          : 'UPDATE runner_pool SET last_heartbeat = now() WHERE id = $1',
        step ? [id, step.id] : [id],
      );
      return step ?? null;
    });
  }

  /**
   * The runner begins executing the step it claimed: claimed → running, and the run queued →
   * running. When the run was cancelled after the claim, the step is cancelled instead and the
   * runner released: the returned step's status says whether to execute it.
   * ConflictError when the step is not claimed by this runner.
   */
  async startStep(stepId: number, runnerId: number, tx?: Tx): Promise<WorkflowStep> {
    const step = parseInput(idSchema, stepId);
    const runner = parseInput(idSchema, runnerId);
    return inTransaction(tx ?? this.db, async (manager) => {
      await this.lockRunner(manager, runner);
      const run = await this.lockRunOf(manager, step);
      if (!(ACTIVE_RUN_STATUSES as readonly string[]).includes(run.status)) {
        const [cancelled] = await queryEntities(
          manager,
          WorkflowStep,
          `UPDATE workflow_steps SET status = 'cancelled', completed_at = now()
            WHERE id = $1 AND runner_id = $2 AND status = 'claimed' RETURNING *`,
          [step, runner],
        );
        if (!cancelled) throw await this.notYours(manager, step, runner, 'claimed');
        await this.releaseRunner(manager, runner, step);
        return cancelled;
      }
      const [started] = await queryEntities(
        manager,
        WorkflowStep,
        `UPDATE workflow_steps SET status = 'running', started_at = now()
          WHERE id = $1 AND runner_id = $2 AND status = 'claimed' RETURNING *`,
        [step, runner],
      );
      if (!started) throw await this.notYours(manager, step, runner, 'claimed');
      await manager.query(
        `UPDATE workflow_runs SET status = 'running', started_at = coalesce(started_at, now())
          WHERE id = $1 AND status = 'queued'`,
        [run.id],
      );
      return started;
    });
  }

  /**
   * Records the result of a running step, releases its runner and moves the run forward (see
   * advanceRun): dependents become ready or skipped, and the run completes with the last step.
   * ConflictError when the step is not running on this runner (e.g. it was requeued after the
   * runner went stale).
   */
  async completeStep(
    stepId: number,
    runnerId: number,
    result: WorkflowStepResult,
    tx?: Tx,
  ): Promise<{ step: WorkflowStep; run: WorkflowRun }> {
    const step = parseInput(idSchema, stepId);
    const runner = parseInput(idSchema, runnerId);
    const outcome = parseInput(resultSchema, result);
    return inTransaction(tx ?? this.db, async (manager) => {
      await this.lockRunner(manager, runner);
      const run = await this.lockRunOf(manager, step);
      const [completed] = await queryEntities(
        manager,
        WorkflowStep,
        `UPDATE workflow_steps
            SET status = $3, exit_code = $4, output = $5::jsonb, error = $6, completed_at = now()
          WHERE id = $1 AND runner_id = $2 AND status = 'running'
          RETURNING *`,
        [
          step,
          runner,
          outcome.status,
          outcome.exitCode ?? null,
          outcome.output === undefined ? null : JSON.stringify(outcome.output),
          outcome.error ?? null,
        ],
      );
      if (!completed) throw await this.notYours(manager, step, runner, 'running');
      await this.releaseRunner(manager, runner, step);
      return { step: completed, run: await advanceRun(manager, run.id) };
    });
  }

  private async lockRunner(tx: Tx, runnerId: number, requiredStatus?: Runner['status']): Promise<Runner> {
    const [runner] = await queryEntities(tx, Runner, 'SELECT * FROM runner_pool WHERE id = $1 FOR UPDATE', [runnerId]);
    if (!runner) throw new NotFoundError(`runner ${runnerId} not found`, { field: 'runnerId' });
    if (requiredStatus && runner.status !== requiredStatus) {
      throw new ConflictError(`runner ${runnerId} is ${runner.status}, not ${requiredStatus}`, { field: 'runnerId' });
    }
    return runner;
  }

  private async lockRunOf(tx: Tx, stepId: number): Promise<WorkflowRun> {
    const [run] = await queryEntities(
      tx,
      WorkflowRun,
      `SELECT r.* FROM workflow_runs r JOIN workflow_steps s ON s.run_id = r.id WHERE s.id = $1 FOR UPDATE OF r`,
      [stepId],
    );
    if (!run) throw new NotFoundError(`workflow step ${stepId} not found`, { field: 'stepId' });
    return run;
  }

  private async releaseRunner(tx: Tx, runnerId: number, stepId: number): Promise<void> {
    await tx.query(
      `UPDATE runner_pool SET status = 'available', claimed_by_step_id = NULL, claimed_at = NULL, last_heartbeat = now()
        WHERE id = $1 AND status = 'claimed' AND claimed_by_step_id = $2`,
      [runnerId, stepId],
    );
  }

  private async notYours(tx: Tx, stepId: number, runnerId: number, expected: string): Promise<ConflictError> {
    const current = await tx.findOneByOrFail(WorkflowStep, { id: stepId });
    return new ConflictError(
      `workflow step ${stepId} is ${current.status} on runner ${current.runnerId ?? 'none'}, not ${expected} on runner ${runnerId}`,
      { field: 'stepId', status: current.status },
    );
  }
}
