import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { WorkflowRunCompleted, type EventPayload } from '@plue/contracts';
import { CommitStatusesDao, type CommitStatusState } from '@plue/git';
import { JetStreamContext } from '@plue/messaging';

type RunStatus = EventPayload<'plue.agent.workflow_run.completed'>['status'];

/**
 * A run's outcome as a commit status. A cancelled run did not vouch for the commit, so it fails a
 * required check; a skipped run (its trigger's conditions excluded it) does not block a merge.
 */
const STATE_OF_RUN: Record<RunStatus, CommitStatusState> = {
  success: 'success',
  skipped: 'success',
  failure: 'failure',
  cancelled: 'failure',
  error: 'error',
};

/** The status context of a workflow; branch protection rules name it in required status checks. */
export function workflowStatusContext(definitionId: number): string {
  return `workflow/${definitionId}`;
}

@Controller()
export class WorkflowRunsHandler {
  constructor(private readonly statuses: CommitStatusesDao) {}

  /** DESIGN §4 flow 3: a finished run sets the status of its head commit (in the inbox transaction). */
  @EventPattern<string>(WorkflowRunCompleted.subject)
  async onWorkflowRunCompleted(
    @Payload() event: EventPayload<'plue.agent.workflow_run.completed'>,
    @Ctx() context: JetStreamContext,
  ): Promise<void> {
    if (event.headCommitSha === null) return; // a run not tied to a commit (chat, schedule) has no status
    await this.statuses.upsert(
      {
        repoId: event.repoId,
        commitSha: event.headCommitSha,
        context: workflowStatusContext(event.definitionId),
        state: STATE_OF_RUN[event.status],
        description: `run #${event.runNumber} ${event.status}`,
        workflowRunId: event.workflowRunId,
      },
      context.tx,
    );
  }
}
