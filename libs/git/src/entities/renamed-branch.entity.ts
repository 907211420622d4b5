import { Check, Column, Entity, Index, JoinColumn, ManyToOne, type Relation } from 'typeorm';
import { BigIntColumn, IdColumn } from '@plue/db';
import { Repository } from './repository.entity';

/** One branch rename, kept so that the old name keeps resolving to the branch. */
@Entity({ name: 'renamed_branches', comment: 'History of branch renames, to redirect old names. Owner: git-service.' })
@Index('renamed_branches_repo_id_from_name_idx', ['repoId', 'fromName'])
@Check('renamed_branches_from_name_check', `is_valid_git_ref_name(from_name)`)
@Check('renamed_branches_to_name_check', `is_valid_git_ref_name(to_name)`)
@Check('renamed_branches_names_check', `from_name <> to_name`)
export class RenamedBranch {
  @IdColumn()
  id!: number;

  @BigIntColumn({ name: 'repo_id' })
  repoId!: number;

  @ManyToOne(() => Repository, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'repo_id', foreignKeyConstraintName: 'renamed_branches_repo_id_fkey' })
  repository?: Relation<Repository>;

  @Column({ name: 'from_name', type: 'text' })
  fromName!: string;

  @Column({ name: 'to_name', type: 'text' })
  toName!: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
