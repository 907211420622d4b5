import { Check, Column, Entity, ForeignKey, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { bigintTransformer } from '@plue/db';
import { Repository } from './repository.entity';

export type WatchMode = 'watching' | 'participating' | 'ignoring';

/** A user watching a repository (or explicitly ignoring it). */
@Entity({ name: 'watches', comment: 'Users watching (or explicitly ignoring) repositories. Owner: git-service.' })
@Index('watches_repo_id_idx', ['repoId'])
@Check('watches_mode_check', `mode IN ('watching', 'participating', 'ignoring')`)
export class Watch {
  @PrimaryColumn({
    name: 'user_id',
    type: 'bigint',
    transformer: bigintTransformer,
    primaryKeyConstraintName: 'watches_pkey',
  })
  @ForeignKey('User', { name: 'watches_user_id_fkey', onDelete: 'CASCADE' })
  userId!: number;

  @PrimaryColumn({
    name: 'repo_id',
    type: 'bigint',
    transformer: bigintTransformer,
    primaryKeyConstraintName: 'watches_pkey',
  })
  repoId!: number;

  @ManyToOne(() => Repository, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'repo_id', foreignKeyConstraintName: 'watches_repo_id_fkey' })
  repository?: Relation<Repository>;

  @Column({ name: 'mode', type: 'text', default: 'watching' })
  mode!: WatchMode;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
