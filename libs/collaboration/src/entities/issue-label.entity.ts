import { Column, Entity, Index, JoinColumn, ManyToOne, type Relation } from 'typeorm';
import { BigIntColumn } from '@plue/db';
import { Issue } from './issue.entity';
import { Label } from './label.entity';

@Entity({ name: 'issue_labels', comment: 'Labels applied to issues. Owner: collaboration-service.' })
@Index('issue_labels_label_id_idx', ['labelId'])
export class IssueLabel {
  @BigIntColumn({ name: 'issue_id', primary: true, primaryKeyConstraintName: 'issue_labels_pkey' })
  issueId!: number;

  @BigIntColumn({ name: 'label_id', primary: true, primaryKeyConstraintName: 'issue_labels_pkey' })
  labelId!: number;

  @ManyToOne(() => Issue, (issue) => issue.issueLabels, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'issue_id', foreignKeyConstraintName: 'issue_labels_issue_id_fkey' })
  issue?: Relation<Issue>;

  @ManyToOne(() => Label, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'label_id', foreignKeyConstraintName: 'issue_labels_label_id_fkey' })
  label?: Relation<Label>;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
