import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { CollaborationUserContentReassigned, UserDeleted, type EventPayload } from '@plue/contracts';
import { UserReassignmentDao } from '@plue/collaboration';
import { JetStreamContext, OutboxWriter } from '@plue/messaging';
import { currentTraceparent } from '@plue/service-kit';

@Controller()
export class UserDeletionHandler {
  constructor(
    private readonly reassignment: UserReassignmentDao,
    private readonly outbox: OutboxWriter,
  ) {}

  /**
   * DESIGN §4 flow 6: in the inbox transaction, the deleted user's issues, comments, merges,
   * reviews, review comments, resolutions, timeline events, assignments, reactions and mentions
   * become the ghost's (duplicates of the ghost's own rows and the user's unsubmitted reviews are
   * dropped), then the confirmation auth waits for. A repeated event finds nothing left to move
   * and confirms again.
   */
  @EventPattern<string>(UserDeleted.subject)
  async onUserDeleted(
    @Payload() event: EventPayload<'plue.auth.user.deleted'>,
    @Ctx() context: JetStreamContext,
  ): Promise<void> {
    await this.reassignment.reassignUser(event.userId, event.ghostUserId, context.tx);
    await this.outbox.emit(
      context.tx,
      CollaborationUserContentReassigned.subject,
      event.userId,
      { userId: event.userId, ghostUserId: event.ghostUserId },
      { traceparent: currentTraceparent() },
    );
  }
}
