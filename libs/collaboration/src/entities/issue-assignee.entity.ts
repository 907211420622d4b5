import { Column, Entity, ForeignKey, Index } from 'typeorm';
import { BigIntColumn } from '@plue/db';
import { Issue } from './issue.entity';

@Entity({ name: 'issue_assignees', comment: 'Users assigned to issues. Owner: collaboration-service.' })
@Index('issue_assignees_user_id_idx', ['userId'])
export class IssueAssignee {
  @BigIntColumn({ name: 'issue_id', primary: true, primaryKeyConstraintName: 'issue_assignees_pkey' })
  @ForeignKey(() => Issue, { name: 'issue_assignees_issue_id_fkey', onDelete: 'CASCADE' })
  issueId!: number;

  @BigIntColumn({ name: 'user_id', primary: true, primaryKeyConstraintName: 'issue_assignees_pkey' })
  @ForeignKey('User', { name: 'issue_assignees_user_id_fkey', onDelete: 'CASCADE' })
  userId!: number;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
