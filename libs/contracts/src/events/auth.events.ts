import { z } from 'zod';
import { defineEvent } from '../event-contract';
import { id } from '../event-payload-fields';

/**
 * A user is being deleted (DESIGN.md section 4, flow 6): the account is already deactivated, barred
 * from signing in and stripped of its credentials. git and collaboration hand the user's content
 * to the `ghost` account `ghostUserId` and confirm with their `user_content.reassigned` events;
 * auth removes the row once both have. Emitted again when a deletion is requested again (each
 * hand-over is idempotent), which is how a stalled deletion is resumed.
 *
 * `ghostUserId` was added to version 1 before any consumer existed, so no stored event lacks it.
 */
export const UserDeleted = defineEvent({
  subject: 'plue.auth.user.deleted',
  version: 1,
  aggregateType: 'user',
  payload: z.object({
    userId: id(),
    username: z.string().min(1).max(255),
    ghostUserId: id(),
  }),
});
