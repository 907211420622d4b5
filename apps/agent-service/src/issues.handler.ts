import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { WorkflowDefinitionsDao, WorkflowRunsDao, type WorkflowEvent } from '@plue/agent';
import { CommentCreated, IssueOpened, type EventPayload } from '@plue/contracts';
import type { Tx } from '@plue/db';
import { JetStreamContext } from '@plue/messaging';

/**
 * DESIGN §4 flow 5: an opened issue or a new comment starts a run (with all its steps) of every
 * active definition of the repository whose `issue` / `issue_comment` trigger matches it (action
 * types, and the mentioned users when the trigger names some), in the inbox transaction: a
 * redelivered event is dropped by the inbox, and a failure rolls every run of the event back together.
 *
 * Such a run is not tied to a commit: `ref` and `head_commit_id` stay null (the columns allow it),
 * so its completion sets no commit status (git-service skips runs without a head commit). The
 * repository's default branch is git's data, which agent-service may learn only by RPC; asking for
 * it here would make event handling depend on git-service being up, for a value the runner has to
 * resolve when it starts anyway (the branch may move before the run is claimed). The trigger
 * payload is the event plus its `action`, which is what a runner needs to act on it.
 */
@Controller()
export class IssuesHandler {
  constructor(
    private readonly definitions: WorkflowDefinitionsDao,
    private readonly runs: WorkflowRunsDao,
  ) {}

  /** A pull request is an issue too, but opening one is a `pull_request` event, not an `issue` one. */
  @EventPattern<string>(IssueOpened.subject)
  async onIssueOpened(
    @Payload() event: EventPayload<'plue.collaboration.issue.opened'>,
    @Ctx() context: JetStreamContext,
  ): Promise<void> {
    if (event.isPullRequest) return;
    await this.startMatchingRuns(
      event.repoId,
      { type: 'issue', action: 'opened', mentionedUserIds: event.mentionedUserIds },
      event,
      context.tx,
    );
  }

  /** Comments on pull requests count as well (as on other forges): they are comments on an issue. */
  @EventPattern<string>(CommentCreated.subject)
  async onCommentCreated(
    @Payload() event: EventPayload<'plue.collaboration.comment.created'>,
    @Ctx() context: JetStreamContext,
  ): Promise<void> {
    await this.startMatchingRuns(
      event.repoId,
      { type: 'issue_comment', action: 'created', mentionedUserIds: event.mentionedUserIds },
      event,
      context.tx,
    );
  }

  private async startMatchingRuns(
    repoId: number,
    trigger: Extract<WorkflowEvent, { type: 'issue' | 'issue_comment' }>,
    event: Record<string, unknown>,
    tx: Tx,
  ): Promise<void> {
    const matching = await this.definitions.findMatching(repoId, trigger, tx);
    for (const definition of matching) {
      await this.runs.createRun(definition, { type: trigger.type, payload: { action: trigger.action, ...event } }, tx);
    }
  }
}
