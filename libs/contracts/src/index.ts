export {
  defineEvent,
  EVENT_SUBJECT_PATTERN,
  InvalidContractError,
  type EventContract,
  type AnyEventContract,
  type PayloadOf,
} from './event-contract';
export { ContractRegistry, UnknownEventError, InvalidEventPayloadError } from './contract-registry';
export {
  EVENT_CONTRACTS,
  EVENT_REGISTRY,
  contractFor,
  type PlueEventContract,
  type EventSubject,
  type EventPayload,
} from './event-registry';
export * from './events';
export { STREAMS, streamFor, subjectMatches, type StreamDefinition } from './streams';
export { EVENT_HEADERS, type EventHeaderName } from './event-headers';
export * from './rpc';
