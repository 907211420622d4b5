import { z } from 'zod';
import { defineEvent } from '../event-contract';
import { id } from '../event-payload-fields';

/**
 * A user asked to be deleted. git and collaboration hand the user's content to the `ghost` user
 * (DESIGN.md section 4, flow 6); auth removes the row afterwards.
 */
export const UserDeleted = defineEvent({
  subject: 'plue.auth.user.deleted',
  version: 1,
  aggregateType: 'user',
  payload: z.object({
    userId: id(),
    username: z.string().min(1).max(255),
  }),
});
