import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { GitUserContentReassigned, UserDeleted, type EventPayload } from '@plue/contracts';
import { ProtectedBranchesDao, RepositoriesDao } from '@plue/git';
import { JetStreamContext, OutboxWriter } from '@plue/messaging';
import { currentTraceparent } from '@plue/service-kit';

@Controller()
export class UserDeletionHandler {
  constructor(
    private readonly repositories: RepositoriesDao,
    private readonly protectedBranches: ProtectedBranchesDao,
    private readonly outbox: OutboxWriter,
  ) {}

  /**
   * DESIGN §4 flow 6: in the inbox transaction, the deleted user's repositories move to the ghost
   * (a name the ghost has already gets `-<n>`), branch pushers and deleters and commit status
   * creators become the ghost, and the user leaves the protection allowlists; then the
   * confirmation auth waits for. Stars, watches and collaborator grants are the user's own: the
   * row's deletion cascades them. A repeated event finds nothing left to move and confirms again.
   */
  @EventPattern<string>(UserDeleted.subject)
  async onUserDeleted(
    @Payload() event: EventPayload<'plue.auth.user.deleted'>,
    @Ctx() context: JetStreamContext,
  ): Promise<void> {
    await this.repositories.reassignOwner(event.userId, event.ghostUserId, context.tx);
    await this.protectedBranches.removeUserFromAllowlists(event.userId, context.tx);
    await this.outbox.emit(
      context.tx,
      GitUserContentReassigned.subject,
      event.userId,
      { userId: event.userId, ghostUserId: event.ghostUserId },
      { traceparent: currentTraceparent() },
    );
  }
}
