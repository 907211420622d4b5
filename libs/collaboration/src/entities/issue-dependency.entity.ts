import { Check, Column, Entity, ForeignKey, Index, Unique } from 'typeorm';
import { BigIntColumn, IdColumn } from '@plue/db';
import { Issue } from './issue.entity';

/** "issueId depends on (is blocked by) dependsOnIssueId"; the graph is kept acyclic by a trigger. */
@Entity({
  name: 'issue_dependencies',
  comment: 'Blocking relations between issues; the graph is kept acyclic by trigger. Owner: collaboration-service.',
})
@Unique('issue_dependencies_issue_id_depends_on_issue_id_key', ['issueId', 'dependsOnIssueId'])
@Index('issue_dependencies_depends_on_issue_id_idx', ['dependsOnIssueId'])
@Check('issue_dependencies_not_self_check', 'issue_id <> depends_on_issue_id')
export class IssueDependency {
  @IdColumn()
  id!: number;

  @BigIntColumn({ name: 'issue_id' })
  @ForeignKey(() => Issue, { name: 'issue_dependencies_issue_id_fkey', onDelete: 'CASCADE' })
  issueId!: number;

  @BigIntColumn({ name: 'depends_on_issue_id' })
  @ForeignKey(() => Issue, { name: 'issue_dependencies_depends_on_issue_id_fkey', onDelete: 'CASCADE' })
  dependsOnIssueId!: number;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
