import { Check, Column, Entity, ForeignKey, Index } from 'typeorm';
import { BigIntColumn, IdColumn } from '@plue/db';
import { Issue } from './issue.entity';

export const ISSUE_EVENT_TYPES = [
  'opened',
  'closed',
  'reopened',
  'renamed',
  'locked',
  'unlocked',
  'pinned',
  'unpinned',
  'labeled',
  'unlabeled',
  'assigned',
  'unassigned',
  'milestoned',
  'demilestoned',
  'referenced',
  'cross_referenced',
  'mentioned',
  'dependency_added',
  'dependency_removed',
  'review_requested',
  'review_request_removed',
  'reviewed',
  'review_dismissed',
  'merged',
  'head_ref_force_pushed',
  'head_ref_deleted',
  'head_ref_restored',
  'base_ref_changed',
  'converted_to_draft',
  'ready_for_review',
  'transferred',
] as const;
export type IssueEventType = (typeof ISSUE_EVENT_TYPES)[number];

@Entity({ name: 'issue_events', comment: 'Timeline events of issues and pull requests. Owner: collaboration-service.' })
@Index('issue_events_issue_id_created_at_idx', ['issueId', 'createdAt'])
@Index('issue_events_actor_id_idx', ['actorId'], { where: 'actor_id IS NOT NULL' })
@Check('issue_events_event_type_check', `event_type IN (${ISSUE_EVENT_TYPES.map((type) => `'${type}'`).join(', ')})`)
@Check('issue_events_payload_check', `jsonb_typeof(payload) = 'object'`)
export class IssueEvent {
  @IdColumn()
  id!: number;

  @BigIntColumn({ name: 'issue_id' })
  @ForeignKey(() => Issue, { name: 'issue_events_issue_id_fkey', onDelete: 'CASCADE' })
  issueId!: number;

  /** NULL for events caused by the system (e.g. a workflow). */
  @BigIntColumn({ name: 'actor_id', nullable: true })
  @ForeignKey('User', { name: 'issue_events_actor_id_fkey', onDelete: 'RESTRICT' })
  actorId!: number | null;

  @Column({ name: 'event_type', type: 'text' })
  eventType!: IssueEventType;

  @Column({ name: 'payload', type: 'jsonb', default: {} })
  payload!: Record<string, unknown>;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
