import type { WorkflowRun } from '@plue/agent';
import { WorkflowRunCompleted, type EventPayload } from '@plue/contracts';
import type { Tx } from '@plue/db';
import type { OutboxWriter } from '@plue/messaging';
import { currentTraceparent } from '@plue/service-kit';

type RunCompletedStatus = EventPayload<'plue.agent.workflow_run.completed'>['status'];

/**
 * Emits `workflow_run.completed` for a run this transaction has just finished (aggregate: the run).
 * The run's `completed_at` is the transaction's `now()` only when this transaction finished it: a
 * run finished or cancelled earlier keeps its own time, so no run emits twice. Returns whether it emitted.
 */
export async function emitIfEndedNow(outbox: OutboxWriter, tx: Tx, run: WorkflowRun): Promise<boolean> {
  if (run.completedAt === null) return false;
  const [row] = (await tx.query('SELECT completed_at = now() AS ended FROM workflow_runs WHERE id = $1', [run.id])) as {
    ended: boolean;
  }[];
  if (row?.ended !== true) return false;
  await outbox.emit(
    tx,
    WorkflowRunCompleted.subject,
    run.id,
    {
      workflowRunId: run.id,
      repoId: run.repoId,
      definitionId: run.definitionId,
      runNumber: run.runNumber,
      status: run.status as RunCompletedStatus,
      ref: run.ref,
      headCommitSha: run.headCommitId,
      completedAt: run.completedAt.toISOString(),
    },
    { traceparent: currentTraceparent() },
  );
  return true;
}
