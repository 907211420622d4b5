import { queryEntities } from '@plue/db';
import type { Tx } from '@plue/db';
import { WorkflowRun } from './entities/workflow-run.entity';
import { WorkflowStep } from './entities/workflow-step.entity';

// How a run moves forward once a step has finished. The caller holds the run's row lock, so
// steps of one run finishing at the same moment are applied one after the other and exactly one
// of them sees the last step end (without the lock each could see the other still running, and
// the run would never complete).
//
// Lock order, everywhere in this lib: runner_pool row, then workflow_runs row, then workflow_steps
// rows. Claims never wait for a run (they skip locked steps and do not touch the run).

/** Step statuses a run is still waiting for. */
export const UNFINISHED_STEP_STATUSES = ['pending', 'ready', 'claimed', 'running'] as const;
/** Run statuses in which steps are handed out. */
export const ACTIVE_RUN_STATUSES = ['queued', 'running'] as const;

/**
 * Skips the steps behind a failed, skipped or cancelled step (transitively), readies the pending
 * steps whose dependencies all succeeded, and finishes the run when no step is left unfinished:
 * failure if any step failed, success otherwise. Returns the run as it now is.
 */
export async function advanceRun(tx: Tx, runId: number): Promise<WorkflowRun> {
  await tx.query(
    `WITH RECURSIVE blocked AS (
       SELECT step_key FROM workflow_steps
        WHERE run_id = $1 AND status IN ('failure', 'skipped', 'cancelled')
       UNION
       SELECT s.step_key FROM workflow_steps s JOIN blocked b ON b.step_key = ANY (s.depends_on)
        WHERE s.run_id = $1 AND s.status = 'pending'
     )
     UPDATE workflow_steps SET status = 'skipped', completed_at = now()
      WHERE run_id = $1 AND status = 'pending' AND step_key IN (SELECT step_key FROM blocked)`,
    [runId],
  );
  await tx.query(
    `UPDATE workflow_steps s SET status = 'ready'
      WHERE s.run_id = $1 AND s.status = 'pending'
        AND NOT EXISTS (SELECT 1 FROM workflow_steps d
                         WHERE d.run_id = s.run_id AND d.step_key = ANY (s.depends_on) AND d.status <> 'success')`,
    [runId],
  );
  const [finished] = await queryEntities(
    tx,
    WorkflowRun,
    `UPDATE workflow_runs r
        SET status = CASE WHEN EXISTS (SELECT 1 FROM workflow_steps s WHERE s.run_id = r.id AND s.status = 'failure')
                          THEN 'failure' ELSE 'success' END,
            started_at = coalesce(started_at, now()),
            completed_at = now()
      WHERE r.id = $1 AND r.status = ANY ($2::text[])
        AND NOT EXISTS (SELECT 1 FROM workflow_steps s WHERE s.run_id = r.id AND s.status = ANY ($3::text[]))
      RETURNING *`,
    [runId, ACTIVE_RUN_STATUSES, UNFINISHED_STEP_STATUSES],
  );
  return finished ?? (await tx.findOneByOrFail(WorkflowRun, { id: runId }));
}

/**
 * Puts the unfinished steps held by these runners back in the queue (ready, no runner, attempt
 * kept), or cancels them when their run is no longer active. Steps may thus run more than once:
 * a runner that vanished mid-step is assumed to have done nothing durable.
 */
export async function requeueStepsOf(tx: Tx, runnerIds: number[]): Promise<WorkflowStep[]> {
  if (runnerIds.length === 0) return [];
  return queryEntities(
    tx,
    WorkflowStep,
    `UPDATE workflow_steps s
        SET status = CASE WHEN r.status = ANY ($2::text[]) THEN 'ready' ELSE 'cancelled' END,
            completed_at = CASE WHEN r.status = ANY ($2::text[]) THEN NULL ELSE now() END,
            runner_id = NULL,
            started_at = NULL
       FROM workflow_runs r
      WHERE r.id = s.run_id AND s.runner_id = ANY ($1::bigint[]) AND s.status IN ('claimed', 'running')
      RETURNING s.*`,
    [runnerIds, ACTIVE_RUN_STATUSES],
  );
}
