import { Check, Column, Entity, ForeignKey, Index, JoinColumn, ManyToOne, Unique, type Relation } from 'typeorm';
import { BigIntColumn, IdColumn } from '@plue/db';
import { Repository } from './repository.entity';

export type CollaboratorPermission = 'read' | 'write' | 'admin';

/** A user granted read, write or admin on a repository (besides its owner, who is always admin). */
@Entity({ name: 'collaborators', comment: 'Users granted read/write/admin on a repository. Owner: git-service.' })
@Unique('collaborators_repo_id_user_id_key', ['repoId', 'userId'])
@Index('collaborators_user_id_idx', ['userId'])
@Check('collaborators_permission_check', `permission IN ('read', 'write', 'admin')`)
export class Collaborator {
  @IdColumn()
  id!: number;

  @BigIntColumn({ name: 'repo_id' })
  repoId!: number;

  @ManyToOne(() => Repository, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'repo_id', foreignKeyConstraintName: 'collaborators_repo_id_fkey' })
  repository?: Relation<Repository>;

  @BigIntColumn({ name: 'user_id' })
  @ForeignKey('User', { name: 'collaborators_user_id_fkey', onDelete: 'CASCADE' })
  userId!: number;

  @Column({ name: 'permission', type: 'text', default: 'read' })
  permission!: CollaboratorPermission;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
