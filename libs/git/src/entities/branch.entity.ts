import { Check, Column, Entity, ForeignKey, Index, JoinColumn, ManyToOne, type Relation } from 'typeorm';
import { BigIntColumn, IdColumn } from '@plue/db';
import { Repository } from './repository.entity';

/** A branch head. Deleting is soft (`is_deleted`), so a name is unique among live branches only. */
@Entity({
  name: 'branches',
  comment: 'Branch heads of repositories, soft-deleted with is_deleted. Owner: git-service.',
})
// Partial indexes (WHERE ...): declared so the schema builder leaves them alone.
@Index('branches_repo_id_name_key', { synchronize: false })
@Index('branches_pusher_id_idx', { synchronize: false })
@Index('branches_deleted_by_id_idx', { synchronize: false })
@Index('branches_repo_id_name_idx', ['repoId', 'name'])
@Check('branches_name_check', `is_valid_git_ref_name(name)`)
@Check('branches_commit_id_check', `commit_id ~ '^([0-9a-f]{40}|[0-9a-f]{64})$'`)
@Check('branches_is_deleted_check', `is_deleted = (deleted_at IS NOT NULL) AND (is_deleted OR deleted_by_id IS NULL)`)
export class Branch {
  @IdColumn()
  id!: number;

  @BigIntColumn({ name: 'repo_id' })
  repoId!: number;

  @ManyToOne(() => Repository, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'repo_id', foreignKeyConstraintName: 'branches_repo_id_fkey' })
  repository?: Relation<Repository>;

  @Column({ name: 'name', type: 'text' })
  name!: string;

  @Column({ name: 'commit_id', type: 'text' })
  commitId!: string;

  @Column({ name: 'commit_message', type: 'text', nullable: true })
  commitMessage!: string | null;

  @Column({ name: 'commit_time', type: 'timestamptz', nullable: true })
  commitTime!: Date | null;

  @BigIntColumn({ name: 'pusher_id', nullable: true })
  @ForeignKey('User', { name: 'branches_pusher_id_fkey', onDelete: 'RESTRICT' })
  pusherId!: number | null;

  @Column({ name: 'is_deleted', type: 'boolean', default: false })
  isDeleted!: boolean;

  @BigIntColumn({ name: 'deleted_by_id', nullable: true })
  @ForeignKey('User', { name: 'branches_deleted_by_id_fkey', onDelete: 'RESTRICT' })
  deletedById!: number | null;

  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
