import { Check, Column, Entity, ForeignKey, Index, JoinColumn, ManyToOne, type Relation } from 'typeorm';
import { BigIntColumn, IdColumn } from '@plue/db';
import { Issue } from './issue.entity';

@Entity({ name: 'comments', comment: 'Comments on issues and pull requests. Owner: collaboration-service.' })
@Index('comments_issue_id_created_at_idx', ['issueId', 'createdAt'])
@Index('comments_author_id_idx', ['authorId'])
@Check('comments_body_check', `char_length(body) BETWEEN 1 AND 65536 AND btrim(body) <> ''`)
export class Comment {
  @IdColumn()
  id!: number;

  @BigIntColumn({ name: 'issue_id' })
  issueId!: number;

  @ManyToOne(() => Issue, (issue) => issue.comments, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'issue_id', foreignKeyConstraintName: 'comments_issue_id_fkey' })
  issue?: Relation<Issue>;

  @BigIntColumn({ name: 'author_id' })
  @ForeignKey('User', { name: 'comments_author_id_fkey', onDelete: 'RESTRICT' })
  authorId!: number;

  @Column({ name: 'body', type: 'text' })
  body!: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;

  /** When a person last edited the body (updated_at also moves for other reasons). */
  @Column({ name: 'edited_at', type: 'timestamptz', nullable: true })
  editedAt!: Date | null;
}
