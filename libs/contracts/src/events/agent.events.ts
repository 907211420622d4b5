import { z } from 'zod';
import { defineEvent } from '../event-contract';
import { branchName, commitSha, id, timestamp } from '../event-payload-fields';

/** A workflow run finished; git upserts the commit status of its head commit (flow 3). */
export const WorkflowRunCompleted = defineEvent({
  subject: 'plue.agent.workflow_run.completed',
  version: 1,
  aggregateType: 'workflow_run',
  payload: z.object({
    workflowRunId: id(),
    repoId: id(),
    definitionId: id(),
    runNumber: id(),
    /** The terminal states of workflow_runs.status. */
    status: z.enum(['success', 'failure', 'cancelled', 'skipped', 'error']),
    /** The branch the run was for and its head commit; null for runs not tied to a commit (chat, schedule). */
    ref: branchName().nullable(),
    headCommitSha: commitSha().nullable(),
    completedAt: timestamp(),
  }),
});
