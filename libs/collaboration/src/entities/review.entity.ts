import { Check, Column, Entity, ForeignKey, Index, Unique } from 'typeorm';
import { BigIntColumn, IdColumn } from '@plue/db';
import { Issue } from './issue.entity';

export const REVIEW_STATES = ['pending', 'approved', 'changes_requested', 'commented', 'dismissed'] as const;
export type ReviewState = (typeof REVIEW_STATES)[number];

@Entity({
  name: 'reviews',
  comment:
    'Pull-request reviews; one pending (draft) review per reviewer and pull request. Owner: collaboration-service.',
})
@Unique('reviews_id_issue_id_key', ['id', 'issueId'])
@Index('reviews_issue_id_created_at_idx', ['issueId', 'createdAt'])
@Index('reviews_reviewer_id_idx', ['reviewerId'])
@Index('reviews_issue_id_reviewer_id_pending_key', ['issueId', 'reviewerId'], {
  unique: true,
  where: `state = 'pending'`,
})
@Check('reviews_state_check', `state IN ('pending', 'approved', 'changes_requested', 'commented', 'dismissed')`)
@Check('reviews_body_check', 'char_length(body) <= 65536')
@Check('reviews_commit_id_check', `commit_id ~ '^([0-9a-f]{40}|[0-9a-f]{64})$'`)
@Check('reviews_submitted_at_check', `(state = 'pending') = (submitted_at IS NULL)`)
export class Review {
  @IdColumn()
  id!: number;

  /** The pull request's issue. */
  @BigIntColumn({ name: 'issue_id' })
  @ForeignKey(() => Issue, { name: 'reviews_issue_id_fkey', onDelete: 'CASCADE' })
  issueId!: number;

  @BigIntColumn({ name: 'reviewer_id' })
  @ForeignKey('User', { name: 'reviews_reviewer_id_fkey', onDelete: 'RESTRICT' })
  reviewerId!: number;

  @Column({ name: 'state', type: 'text', default: 'pending' })
  state!: ReviewState;

  @Column({ name: 'body', type: 'text', default: '' })
  body!: string;

  /** Head commit the review was made against. */
  @Column({ name: 'commit_id', type: 'text', nullable: true })
  commitId!: string | null;

  /** Counts toward required approvals (the reviewer had write access when submitting). */
  @Column({ name: 'official', type: 'boolean', default: false })
  official!: boolean;

  /** The head moved after the review (dismiss_stale_approvals). */
  @Column({ name: 'stale', type: 'boolean', default: false })
  stale!: boolean;

  @Column({ name: 'submitted_at', type: 'timestamptz', nullable: true })
  submittedAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
