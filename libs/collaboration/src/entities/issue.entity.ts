import { Check, Column, Entity, ForeignKey, Index, OneToMany, Unique } from 'typeorm';
import { BigIntColumn, IdColumn } from '@plue/db';
import { Comment } from './comment.entity';
import { IssueLabel } from './issue-label.entity';
import { Milestone } from './milestone.entity';

export type IssueState = 'open' | 'closed';

/** An issue, or the issue half of a pull request (`isPull`): both share the per-repository numbering. */
@Entity({
  name: 'issues',
  comment: 'Issues and pull requests (is_pull), numbered per repository without gaps. Owner: collaboration-service.',
})
@Unique('issues_repo_id_issue_number_key', ['repoId', 'issueNumber'])
@Unique('issues_id_repo_id_key', ['id', 'repoId'])
@ForeignKey(() => Milestone, ['milestoneId', 'repoId'], ['id', 'repoId'], {
  name: 'issues_milestone_id_fkey',
  onDelete: 'SET NULL',
})
@Index('issues_repo_id_state_created_at_idx', ['repoId', 'state', 'createdAt'])
@Index('issues_repo_id_state_updated_at_idx', ['repoId', 'state', 'updatedAt'])
@Index('issues_author_id_idx', ['authorId'])
@Index('issues_milestone_id_idx', ['milestoneId'], { where: 'milestone_id IS NOT NULL' })
@Index('issues_search_vector_idx', { synchronize: false })
@Check('issues_issue_number_check', 'issue_number > 0')
@Check('issues_title_check', `char_length(title) BETWEEN 1 AND 255 AND btrim(title) <> ''`)
@Check('issues_body_check', 'char_length(body) <= 65536')
@Check('issues_state_check', `state IN ('open', 'closed')`)
@Check('issues_closed_at_check', `(state = 'closed') = (closed_at IS NOT NULL)`)
@Check('issues_comment_count_check', 'comment_count >= 0')
export class Issue {
  @IdColumn()
  id!: number;

  @BigIntColumn({ name: 'repo_id' })
  @ForeignKey('Repository', { name: 'issues_repo_id_fkey', onDelete: 'CASCADE' })
  repoId!: number;

  /** Allocated by the database (trigger) inside the inserting transaction: never set it on insert. */
  @BigIntColumn({
    name: 'issue_number',
    comment: 'Per-repository number; allocated from repositories.next_issue_number by trigger when inserted as NULL.',
  })
  issueNumber!: number;

  @BigIntColumn({ name: 'author_id' })
  @ForeignKey('User', { name: 'issues_author_id_fkey', onDelete: 'RESTRICT' })
  authorId!: number;

  @Column({ name: 'title', type: 'text' })
  title!: string;

  @Column({ name: 'body', type: 'text', default: '' })
  body!: string;

  @Column({ name: 'state', type: 'text', default: 'open' })
  state!: IssueState;

  @Column({ name: 'is_pull', type: 'boolean', default: false })
  isPull!: boolean;

  @BigIntColumn({ name: 'milestone_id', nullable: true })
  milestoneId!: number | null;

  @Column({ name: 'is_locked', type: 'boolean', default: false })
  isLocked!: boolean;

  /** Maintained by the triggers on comments: read-only for code. */
  @Column({ name: 'comment_count', type: 'integer', default: 0, insert: false, update: false })
  commentCount!: number;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;

  /** Full-text search document (title weight A, body weight B), computed by PostgreSQL. */
  @Column({
    name: 'search_vector',
    type: 'tsvector',
    nullable: true,
    select: false,
    insert: false,
    update: false,
    generatedType: 'STORED',
    // PostgreSQL's own rendering (pg_get_expr), so that the entity check can compare it verbatim.
    asExpression: `(setweight(to_tsvector('simple'::regconfig, COALESCE(title, ''::text)), 'A'::"char") || setweight(to_tsvector('simple'::regconfig, COALESCE(body, ''::text)), 'B'::"char"))`,
  })
  searchVector?: string;

  @OneToMany(() => Comment, (comment) => comment.issue)
  comments?: Comment[];

  @OneToMany(() => IssueLabel, (issueLabel) => issueLabel.issue)
  issueLabels?: IssueLabel[];
}
