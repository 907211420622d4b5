import type { NatsConnection } from '@nats-io/transport-node';
import { CollaborationUserContentReassigned, GitUserContentReassigned } from '@plue/contracts';
import { publishThroughOutbox } from '@plue/messaging/testing';

/** The domains that confirm a hand-over, with the subject each confirms on. */
export const HAND_OVER_SUBJECTS = {
  git: GitUserContentReassigned.subject,
  collaboration: CollaborationUserContentReassigned.subject,
} as const;

/** A domain's `user_content.reassigned` confirmation, as that service publishes it (aggregate: the user). */
export function publishHandOver(
  databaseUrl: string,
  connection: NatsConnection,
  domain: keyof typeof HAND_OVER_SUBJECTS,
  payload: { userId: number; ghostUserId: number },
): Promise<void> {
  const subject = HAND_OVER_SUBJECTS[domain];
  return publishThroughOutbox(databaseUrl, connection, domain, [{ subject, aggregateId: payload.userId, payload }]);
}
