import { Check, Column, Entity, ForeignKey, Unique } from 'typeorm';
import { BigIntColumn, IdColumn } from '@plue/db';
import { Issue } from './issue.entity';

/** Up to 3 pins per repository, `pinOrder` 1..n without gaps (renumbered by trigger on delete). */
@Entity({
  name: 'pinned_issues',
  comment: 'Up to 3 pinned issues per repository, pin_order 1..n without gaps. Owner: collaboration-service.',
})
@Unique('pinned_issues_issue_id_key', ['issueId'])
@Unique('pinned_issues_repo_id_pin_order_key', ['repoId', 'pinOrder'], { deferrable: 'INITIALLY DEFERRED' })
@ForeignKey(() => Issue, ['issueId', 'repoId'], ['id', 'repoId'], {
  name: 'pinned_issues_issue_id_fkey',
  onDelete: 'CASCADE',
})
@Check('pinned_issues_pin_order_check', 'pin_order BETWEEN 1 AND 3')
export class PinnedIssue {
  @IdColumn()
  id!: number;

  @BigIntColumn({ name: 'repo_id' })
  @ForeignKey('Repository', { name: 'pinned_issues_repo_id_fkey', onDelete: 'CASCADE' })
  repoId!: number;

  @BigIntColumn({ name: 'issue_id' })
  issueId!: number;

  @Column({ name: 'pin_order', type: 'integer' })
  pinOrder!: number;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
