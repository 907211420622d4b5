import { Check, Column, Entity, Index, JoinColumn, ManyToOne, OneToMany, type Relation } from 'typeorm';
import { BigIntColumn, IdColumn } from '@plue/db';
import { Branch } from './branch.entity';
import { ProtectedBranch } from './protected-branch.entity';

/** A git repository, owned by one user (`user_id`); its name is unique per owner regardless of case. */
@Entity({
  name: 'repositories',
  comment: 'Git repositories; names are unique per owner case-insensitively. Owner: git-service.',
})
// Expression and GIN indexes TypeORM cannot express: declared so the schema builder leaves them alone.
@Index('repositories_user_id_lower_name_key', { synchronize: false })
@Index('repositories_topics_idx', { synchronize: false })
@Check(
  'repositories_name_check',
  `char_length(name) BETWEEN 1 AND 100 AND name ~ '^[A-Za-z0-9._-]+$' AND name NOT IN ('.', '..') AND lower(name) !~ '\\.git$'`,
)
@Check('repositories_description_check', `char_length(description) <= 1024`)
@Check('repositories_default_branch_check', `is_valid_git_ref_name(default_branch)`)
@Check(
  'repositories_topics_check',
  `cardinality(topics) <= 20 AND array_position(topics, NULL) IS NULL AND (cardinality(topics) = 0 OR array_to_string(topics, ' ') ~ '^[a-z0-9][a-z0-9-]{0,49}( [a-z0-9][a-z0-9-]{0,49})*$')`,
)
@Check('repositories_next_issue_number_check', `next_issue_number > 0`)
export class Repository {
  @IdColumn()
  id!: number;

  /** The owner. */
  @BigIntColumn({ name: 'user_id' })
  userId!: number;

  @ManyToOne('User', { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'repositories_user_id_fkey' })
  owner?: unknown;

  @Column({ name: 'name', type: 'text' })
  name!: string;

  @Column({ name: 'description', type: 'text', nullable: true })
  description!: string | null;

  @Column({ name: 'is_public', type: 'boolean', default: true })
  isPublic!: boolean;

  @Column({ name: 'default_branch', type: 'text', default: 'main' })
  defaultBranch!: string;

  @Column({ name: 'topics', type: 'text', array: true, default: () => "'{}'" })
  topics!: string[];

  /** Allocated by the trigger on issues (collaboration-service): never written by this lib. */
  @BigIntColumn({ name: 'next_issue_number', default: 1 })
  nextIssueNumber!: number;

  @Column({ name: 'is_archived', type: 'boolean', default: false })
  isArchived!: boolean;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;

  @OneToMany(() => Branch, (branch) => branch.repository)
  branches?: Relation<Branch[]>;

  @OneToMany(() => ProtectedBranch, (rule) => rule.repository)
  protectedBranches?: Relation<ProtectedBranch[]>;
}
