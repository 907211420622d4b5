import { Column, Entity, ForeignKey, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { bigintTransformer } from '@plue/db';
import { Repository } from './repository.entity';

/** A user starring a repository. */
@Entity({ name: 'stars', comment: 'Users starring repositories. Owner: git-service.' })
@Index('stars_repo_id_idx', ['repoId'])
export class Star {
  @PrimaryColumn({
    name: 'user_id',
    type: 'bigint',
    transformer: bigintTransformer,
    primaryKeyConstraintName: 'stars_pkey',
  })
  @ForeignKey('User', { name: 'stars_user_id_fkey', onDelete: 'CASCADE' })
  userId!: number;

  @PrimaryColumn({
    name: 'repo_id',
    type: 'bigint',
    transformer: bigintTransformer,
    primaryKeyConstraintName: 'stars_pkey',
  })
  repoId!: number;

  @ManyToOne(() => Repository, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'repo_id', foreignKeyConstraintName: 'stars_repo_id_fkey' })
  repository?: Relation<Repository>;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
