import type { PayloadOf } from './event-contract';
import { ContractRegistry } from './contract-registry';
import {
  BranchPushed,
  CollaborationUserContentReassigned,
  CommentCreated,
  GitUserContentReassigned,
  IssueOpened,
  PullRequestMerged,
  RepositoryCreated,
  UserDeleted,
  WorkflowRunCompleted,
} from './events';

/** Every domain event of Plue. A subject a service emits or consumes must be listed here. */
export const EVENT_CONTRACTS = [
  UserDeleted,
  RepositoryCreated,
  BranchPushed,
  IssueOpened,
  CommentCreated,
  PullRequestMerged,
  WorkflowRunCompleted,
  GitUserContentReassigned,
  CollaborationUserContentReassigned,
] as const;

export type PlueEventContract = (typeof EVENT_CONTRACTS)[number];
export type EventSubject = PlueEventContract['subject'];
/** The payload type of a subject, e.g. `EventPayload<'plue.git.branch.pushed'>`. */
export type EventPayload<Subject extends EventSubject> = PayloadOf<Extract<PlueEventContract, { subject: Subject }>>;

export const EVENT_REGISTRY = new ContractRegistry<PlueEventContract>(EVENT_CONTRACTS);

/** The contract of a subject; an unknown subject is an `UnknownEventError`. */
export function contractFor<Subject extends EventSubject>(
  subject: Subject,
): Extract<PlueEventContract, { subject: Subject }>;
export function contractFor(subject: string): PlueEventContract;
export function contractFor(subject: string): PlueEventContract {
  return EVENT_REGISTRY.get(subject);
}
