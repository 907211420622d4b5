import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/transport-node';
import { EVENT_HEADERS } from '@plue/contracts';

/**
 * Publishes the last event `stream` holds on `subject` again: the same event (id, payload, headers)
 * under a new message id, so the stream keeps it and consumers see what a redelivery looks like to
 * their inbox. Throws when the stream holds no such event.
 */
export async function redeliverLast(connection: NatsConnection, stream: string, subject: string): Promise<void> {
  const original = await (await jetstreamManager(connection)).streams.getMessage(stream, { last_by_subj: subject });
  if (!original) throw new Error(`${stream} holds no event on ${subject}`);
  const copy = headers();
  for (const [name, values] of original.header) if (name !== EVENT_HEADERS.messageId) copy.set(name, values[0]);
  await jetstream(connection).publish(subject, original.data, {
    headers: copy,
    msgID: `${original.header.get(EVENT_HEADERS.eventId)}-again`,
  });
}
