export { publishThroughOutbox, type OutboxEvent } from './publish-through-outbox';
export { redeliverLast } from './redeliver-last';
