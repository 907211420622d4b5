import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { BranchPushed, type EventPayload } from '@plue/contracts';
import { PullRequestsDao } from '@plue/collaboration';
import { JetStreamContext } from '@plue/messaging';

@Controller()
export class BranchesHandler {
  constructor(private readonly pullRequests: PullRequestsDao) {}

  /**
   * A push to the head branch of open pull requests moves their head commit, in the inbox
   * transaction: verdicts given on the older head become stale (a rule with dismiss_stale_approvals
   * stops counting them) and the merge check looks at the new head's statuses (DESIGN §4 flow 4).
   */
  @EventPattern<string>(BranchPushed.subject)
  async onBranchPushed(
    @Payload() event: EventPayload<'plue.git.branch.pushed'>,
    @Ctx() context: JetStreamContext,
  ): Promise<void> {
    for (const pullRequest of await this.pullRequests.listOpenByHead(event.repoId, event.branch, context.tx)) {
      if (pullRequest.headCommitId === event.headCommitSha) continue;
      await this.pullRequests.updateHead(pullRequest.issueId, event.headCommitSha, context.tx);
    }
  }
}
