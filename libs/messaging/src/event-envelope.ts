import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';
import type { JsMsg } from '@nats-io/jetstream';
import { EVENT_HEADERS } from '@plue/contracts';

/** What a handler knows about the event it handles, read from the message headers and JetStream. */
export interface EventMetadata {
  id: string;
  subject: string;
  schemaVersion: number;
  occurredAt: string;
  aggregateType: string;
  aggregateId: string;
  aggregateVersion: number;
  traceparent?: string;
  stream: string;
  streamSequence: number;
  /** 1 on the first delivery to this consumer. */
  deliveryCount: number;
  /** The inbox key: the durable consumer name of (service, subject). */
  consumer: string;
}

/** The NATS headers of an outbox row: its stored headers plus `Nats-Msg-Id` = row id. */
export function outboxRowHeaders(id: string, stored: Record<string, string>): MsgHdrs {
  const result = natsHeaders();
  for (const [name, value] of Object.entries(stored)) result.set(name, value);
  result.set(EVENT_HEADERS.messageId, id);
  return result;
}

/** Headers as a plain object, for the dead-letter table. */
export function headersToObject(headers: MsgHdrs | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  if (!headers) return result;
  for (const name of headers.keys()) result[name] = headers.get(name);
  return result;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The envelope of a delivered message, or the reason it has none: a message without a valid
 * envelope can be neither deduplicated nor ordered, so it goes to the dead letters at once.
 */
export function readEnvelope(
  message: JsMsg,
  consumer: string,
): { metadata: EventMetadata; problem?: undefined } | { metadata?: undefined; problem: string } {
  const header = (name: string) => message.headers?.get(name) ?? '';
  const id = header(EVENT_HEADERS.eventId);
  const type = header(EVENT_HEADERS.eventType);
  const schemaVersion = Number(header(EVENT_HEADERS.schemaVersion));
  const aggregateType = header(EVENT_HEADERS.aggregateType);
  const aggregateId = header(EVENT_HEADERS.aggregateId);
  const aggregateVersion = Number(header(EVENT_HEADERS.aggregateVersion));
  const problems = [
    !UUID.test(id) && `${EVENT_HEADERS.eventId} is not a uuid`,
    type !== message.subject && `${EVENT_HEADERS.eventType} "${type}" differs from the subject ${message.subject}`,
    !(Number.isInteger(schemaVersion) && schemaVersion >= 1) && `${EVENT_HEADERS.schemaVersion} is missing`,
    !aggregateType && `${EVENT_HEADERS.aggregateType} is missing`,
    !aggregateId && `${EVENT_HEADERS.aggregateId} is missing`,
    !(Number.isInteger(aggregateVersion) && aggregateVersion >= 1) && `${EVENT_HEADERS.aggregateVersion} is missing`,
  ].filter((problem): problem is string => typeof problem === 'string');
  if (problems.length > 0) return { problem: `invalid event envelope: ${problems.join('; ')}` };
  const traceparent = header(EVENT_HEADERS.traceparent);
  return {
    metadata: {
      id: id.toLowerCase(),
      subject: message.subject,
      schemaVersion,
      occurredAt: header(EVENT_HEADERS.occurredAt),
      aggregateType,
      aggregateId,
      aggregateVersion,
      ...(traceparent ? { traceparent } : {}),
      stream: message.info.stream,
      streamSequence: message.seq,
      deliveryCount: message.info.deliveryCount,
      consumer,
    },
  };
}
