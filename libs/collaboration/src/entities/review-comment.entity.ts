import { Check, Column, Entity, ForeignKey, Index } from 'typeorm';
import { BigIntColumn, IdColumn } from '@plue/db';
import { Issue } from './issue.entity';
import { Review } from './review.entity';

export type DiffSide = 'left' | 'right';

@Entity({
  name: 'review_comments',
  comment: 'Line-level comments of a pull-request review, threaded by in_reply_to_id. Owner: collaboration-service.',
})
@ForeignKey(() => Review, ['reviewId', 'issueId'], ['id', 'issueId'], {
  name: 'review_comments_review_id_fkey',
  onDelete: 'CASCADE',
})
@Index('review_comments_issue_id_path_idx', ['issueId', 'path', 'line'])
@Index('review_comments_review_id_idx', ['reviewId'])
@Index('review_comments_author_id_idx', ['authorId'])
@Index('review_comments_in_reply_to_id_idx', ['inReplyToId'], { where: 'in_reply_to_id IS NOT NULL' })
@Index('review_comments_resolved_by_id_idx', ['resolvedById'], { where: 'resolved_by_id IS NOT NULL' })
@Check('review_comments_commit_id_check', `commit_id ~ '^([0-9a-f]{40}|[0-9a-f]{64})$'`)
@Check('review_comments_path_check', 'char_length(path) BETWEEN 1 AND 4096')
@Check('review_comments_line_check', 'line > 0')
@Check('review_comments_side_check', `side IN ('left', 'right')`)
@Check('review_comments_body_check', `char_length(body) BETWEEN 1 AND 65536 AND btrim(body) <> ''`)
@Check('review_comments_in_reply_to_id_check', 'in_reply_to_id <> id')
@Check('review_comments_resolved_check', '(resolved_by_id IS NULL) = (resolved_at IS NULL)')
export class ReviewComment {
  @IdColumn()
  id!: number;

  @BigIntColumn({ name: 'review_id' })
  reviewId!: number;

  @BigIntColumn({ name: 'issue_id' })
  @ForeignKey(() => Issue, { name: 'review_comments_issue_id_fkey', onDelete: 'CASCADE' })
  issueId!: number;

  @BigIntColumn({ name: 'author_id' })
  @ForeignKey('User', { name: 'review_comments_author_id_fkey', onDelete: 'RESTRICT' })
  authorId!: number;

  @Column({ name: 'commit_id', type: 'text', nullable: true })
  commitId!: string | null;

  @Column({ name: 'path', type: 'text' })
  path!: string;

  /** NULL for a comment on the whole file. */
  @Column({ name: 'line', type: 'integer', nullable: true })
  line!: number | null;

  @Column({ name: 'side', type: 'text', default: 'right' })
  side!: DiffSide;

  @Column({ name: 'diff_hunk', type: 'text', nullable: true })
  diffHunk!: string | null;

  @Column({ name: 'body', type: 'text' })
  body!: string;

  @BigIntColumn({ name: 'in_reply_to_id', nullable: true })
  @ForeignKey(() => ReviewComment, { name: 'review_comments_in_reply_to_id_fkey', onDelete: 'CASCADE' })
  inReplyToId!: number | null;

  @BigIntColumn({ name: 'resolved_by_id', nullable: true })
  @ForeignKey('User', { name: 'review_comments_resolved_by_id_fkey', onDelete: 'RESTRICT' })
  resolvedById!: number | null;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
