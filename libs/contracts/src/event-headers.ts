/**
 * Headers of every published event. The body is the JSON payload; these carry the envelope, so a
 * consumer can deduplicate, order and trace without parsing the body.
 */
export const EVENT_HEADERS = {
  /** JetStream deduplication: the outbox row id. */
  messageId: 'Nats-Msg-Id',
  /** The same uuid, for consumers (the inbox key). */
  eventId: 'Plue-Event-Id',
  /** The subject, also when the message is read outside its subject (replay tools, dead letters). */
  eventType: 'Plue-Event-Type',
  schemaVersion: 'Plue-Schema-Version',
  /** ISO-8601 time of the producing transaction. */
  occurredAt: 'Plue-Occurred-At',
  aggregateType: 'Plue-Aggregate-Type',
  aggregateId: 'Plue-Aggregate-Id',
  /** 1, 2, 3… per aggregate and subject: the order a consumer applies the aggregate's events in. */
  aggregateVersion: 'Plue-Aggregate-Version',
  /** W3C trace context of the producing request, when there is one. */
  traceparent: 'traceparent',
} as const;

export type EventHeaderName = (typeof EVENT_HEADERS)[keyof typeof EVENT_HEADERS];
