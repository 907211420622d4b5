import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { WorkflowDefinitionsDao, WorkflowRunsDao } from '@plue/agent';
import { BranchPushed, type EventPayload } from '@plue/contracts';
import { JetStreamContext } from '@plue/messaging';

@Controller()
export class BranchesHandler {
  constructor(
    private readonly definitions: WorkflowDefinitionsDao,
    private readonly runs: WorkflowRunsDao,
  ) {}

  /**
   * DESIGN §4 flow 2: a push starts a run (with all its steps) of every active definition whose
   * triggers match it, by event type AND branch globs, in the inbox transaction: a redelivered
   * event is dropped by the inbox, and a failure rolls every run of the push back together.
   */
  @EventPattern<string>(BranchPushed.subject)
  async onBranchPushed(
    @Payload() event: EventPayload<'plue.git.branch.pushed'>,
    @Ctx() context: JetStreamContext,
  ): Promise<void> {
    const matching = await this.definitions.findMatching(
      event.repoId,
      { type: 'push', branch: event.branch },
      context.tx,
    );
    for (const definition of matching) {
      await this.runs.createRun(
        definition,
        { type: 'push', payload: event, ref: event.branch, headCommitId: event.headCommitSha },
        context.tx,
      );
    }
  }
}
