import { Controller, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { UsersDao } from '@plue/auth';
import { CollaborationUserContentReassigned, GitUserContentReassigned, type EventPayload } from '@plue/contracts';
import { JetStreamContext } from '@plue/messaging';

/** Both domains confirm with the same payload. */
type HandOver =
  EventPayload<'plue.git.user_content.reassigned'> | EventPayload<'plue.collaboration.user_content.reassigned'>;

/**
 * DESIGN §4 flow 6, last step: each domain confirms it handed a deleted user's content to the
 * ghost; the confirmation that finds nothing left deletes the row (CASCADE removes the user's
 * personal rows in every domain: stars, watches, grants, agent sessions…).
 *
 * No bookkeeping of who confirmed: the database's RESTRICT keys are the truth. A confirmation that
 * arrives while the other domain still holds content finds its key refusing the DELETE (in a
 * savepoint, so the inbox row still commits) and waits for the other one, in whichever order they
 * come; both are published only after their domain committed, so the later one always succeeds.
 * A redelivered or repeated confirmation finds the user gone and does nothing.
 */
@Controller()
export class UserContentHandoversHandler {
  private readonly logger = new Logger(UserContentHandoversHandler.name);

  constructor(private readonly users: UsersDao) {}

  @EventPattern<string>(GitUserContentReassigned.subject)
  onGitHandOver(@Payload() event: HandOver, @Ctx() context: JetStreamContext): Promise<void> {
    return this.deleteIfLast(event, context);
  }

  @EventPattern<string>(CollaborationUserContentReassigned.subject)
  onCollaborationHandOver(@Payload() event: HandOver, @Ctx() context: JetStreamContext): Promise<void> {
    return this.deleteIfLast(event, context);
  }

  private async deleteIfLast(event: HandOver, context: JetStreamContext): Promise<void> {
    const result = await this.users.deleteOnceHandedOver(event.userId, context.tx);
    // Nest's logger goes through the service's pino logger, under the event's trace id.
    this.logger.log(
      result.outcome === 'content_remains'
        ? `user ${event.userId}: ${context.event.subject} handled, ${result.constraint ?? 'a foreign key'} still holds content; waiting for the other hand-over`
        : `user ${event.userId}: ${context.event.subject} handled, ${result.outcome}`,
    );
  }
}
