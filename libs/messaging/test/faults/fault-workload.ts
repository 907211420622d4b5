import type { EventPayload } from '@plue/contracts';

/**
 * The fault suite's workload: two producing services (git, collaboration) emit uniquely numbered
 * events of real contracts through their outboxes, and two consuming services (collaboration, agent)
 * each record one side-effect row per event number. Shared by the worker programs and the driver.
 */

export type ProducerService = 'git' | 'collaboration';
export type ConsumerService = 'collaboration' | 'agent';
export type FaultSubject = 'plue.git.branch.pushed' | 'plue.collaboration.comment.created';

export interface ProducerSpec {
  service: ProducerService;
  role: string;
  subject: FaultSubject;
}

export interface ConsumerSpec {
  service: ConsumerService;
  role: string;
  subjects: FaultSubject[];
}

export const PRODUCERS: readonly ProducerSpec[] = [
  { service: 'git', role: 'plue_git', subject: 'plue.git.branch.pushed' },
  { service: 'collaboration', role: 'plue_collaboration', subject: 'plue.collaboration.comment.created' },
];

export const CONSUMERS: readonly ConsumerSpec[] = [
  { service: 'collaboration', role: 'plue_collaboration', subjects: ['plue.git.branch.pushed'] },
  { service: 'agent', role: 'plue_agent', subjects: ['plue.git.branch.pushed', 'plue.collaboration.comment.created'] },
];

/** A handler that sees this marker throws every time: the event must end in the dead letters. */
export const POISON_MARK = 'poison';

/**
 * The number of an event rides in a payload field the contract keeps: the head commit sha of a
 * push (the number in hex), the id of a comment.
 */
export function payloadFor(
  subject: FaultSubject,
  eventNumber: number,
  aggregateId: number,
  poison: boolean,
): EventPayload<FaultSubject> {
  if (subject === 'plue.git.branch.pushed') {
    const branch = poison ? POISON_MARK : 'main';
    return {
      repoId: aggregateId,
      branch,
      ref: `refs/heads/${branch}`,
      beforeCommitSha: null,
      headCommitSha: eventNumber.toString(16).padStart(40, '0'),
      pusherId: 1,
      forced: false,
    } satisfies EventPayload<'plue.git.branch.pushed'>;
  }
  return {
    commentId: eventNumber,
    issueId: aggregateId,
    repoId: 1,
    issueNumber: aggregateId,
    authorId: 1,
    body: poison ? POISON_MARK : `comment ${eventNumber}`,
    mentionedUserIds: [],
  } satisfies EventPayload<'plue.collaboration.comment.created'>;
}

export function readPayload(
  subject: string,
  payload: Record<string, unknown>,
): { eventNumber: number; poison: boolean } {
  if (subject === 'plue.git.branch.pushed') {
    const push = payload as EventPayload<'plue.git.branch.pushed'>;
    return { eventNumber: Number.parseInt(push.headCommitSha, 16), poison: push.branch === POISON_MARK };
  }
  const comment = payload as EventPayload<'plue.collaboration.comment.created'>;
  return { eventNumber: comment.commentId, poison: comment.body === POISON_MARK };
}

/** The producer's "domain change": one row per committed event, written in the emitting transaction. */
export function producedTable(service: ProducerService): string {
  return `${service}.fault_produced`;
}

/** The consumer's side effect: its unique key (consumer, event number) detects a duplicate effect. */
export function sideEffectTable(service: ConsumerService): string {
  return `${service}.fault_side_effects`;
}

/** Test-only tables, created by the driver as superuser and owned by the service roles that write them. */
export function faultTablesDdl(): string[] {
  const statements: string[] = [];
  for (const producer of PRODUCERS) {
    const table = producedTable(producer.service);
    statements.push(
      `CREATE TABLE ${table} (
         event_number bigint PRIMARY KEY,
         event_id     uuid NOT NULL UNIQUE,
         subject      text NOT NULL,
         aggregate_id text NOT NULL,
         poison       boolean NOT NULL
       )`,
      `ALTER TABLE ${table} OWNER TO ${producer.role}`,
      `GRANT SELECT ON ${table} TO plue_readonly`,
    );
  }
  for (const consumer of CONSUMERS) {
    const table = sideEffectTable(consumer.service);
    statements.push(
      `CREATE TABLE ${table} (
         consumer          text NOT NULL,
         event_number      bigint NOT NULL,
         event_id          uuid NOT NULL,
         subject           text NOT NULL,
         aggregate_id      text NOT NULL,
         aggregate_version bigint NOT NULL,
         applied_order     bigint GENERATED ALWAYS AS IDENTITY,
         duplicates        integer NOT NULL DEFAULT 0,
         PRIMARY KEY (consumer, event_number)
       )`,
      `ALTER TABLE ${table} OWNER TO ${consumer.role}`,
      `GRANT SELECT ON ${table} TO plue_readonly`,
    );
  }
  return statements;
}
