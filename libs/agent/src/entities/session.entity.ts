import { BigIntColumn, IdColumn } from '@plue/db';
import { Check, Column, Entity, ForeignKey, Index, JoinColumn, ManyToOne, OneToMany, type Relation } from 'typeorm';
import { Message } from './message.entity';
import { WorkflowRun } from './workflow-run.entity';

export const SESSION_STATUSES = ['idle', 'running', 'completed', 'failed', 'aborted'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

@Entity({
  name: 'sessions',
  comment: 'AI agent sessions, owned by a user, optionally on a repository or a workflow run. Owner: agent-service.',
})
@Index('sessions_user_id_updated_at_idx', { synchronize: false }) // (user_id, updated_at DESC)
@Index('sessions_repo_id_idx', { synchronize: false }) // (repo_id) WHERE repo_id IS NOT NULL
@Index('sessions_parent_id_idx', { synchronize: false }) // (parent_id) WHERE parent_id IS NOT NULL
@Index('sessions_workflow_run_id_idx', { synchronize: false }) // (workflow_run_id) WHERE ... IS NOT NULL
@Check('sessions_parent_id_check', `parent_id <> id`)
@Check('sessions_directory_check', `char_length(directory) <= 4096`)
@Check('sessions_title_check', `char_length(title) <= 255`)
@Check('sessions_model_check', `char_length(model) <= 255`)
@Check('sessions_status_check', `status IN ('idle', 'running', 'completed', 'failed', 'aborted')`)
@Check('sessions_token_count_check', `token_count >= 0`)
export class Session {
  @IdColumn()
  id!: number;

  /** The owner: every read and listing is filtered by it. */
  @ForeignKey('User', { name: 'sessions_user_id_fkey', onDelete: 'CASCADE' })
  @BigIntColumn({ name: 'user_id' })
  userId!: number;

  @ForeignKey('Repository', { name: 'sessions_repo_id_fkey', onDelete: 'SET NULL' })
  @BigIntColumn({ name: 'repo_id', nullable: true })
  repoId!: number | null;

  /** Sub-agent sessions hang under their parent and go with it. */
  @BigIntColumn({ name: 'parent_id', nullable: true })
  parentId!: number | null;

  /** Set when the session runs as a workflow step (agent steps). */
  @BigIntColumn({ name: 'workflow_run_id', nullable: true })
  workflowRunId!: number | null;

  @Column({ name: 'directory', type: 'text', nullable: true })
  directory!: string | null;

  @Column({ name: 'title', type: 'text', nullable: true })
  title!: string | null;

  @Column({ name: 'model', type: 'text', nullable: true })
  model!: string | null;

  @Column({ name: 'status', type: 'text', default: 'idle' })
  status!: SessionStatus;

  @BigIntColumn({ name: 'token_count', default: 0 })
  tokenCount!: number;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;

  @Column({ name: 'archived_at', type: 'timestamptz', nullable: true })
  archivedAt!: Date | null;

  @ManyToOne(() => Session, (session) => session.children, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'parent_id', foreignKeyConstraintName: 'sessions_parent_id_fkey' })
  parent?: Relation<Session> | null;

  @OneToMany(() => Session, (session) => session.parent)
  children?: Relation<Session[]>;

  @ManyToOne(() => WorkflowRun, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'workflow_run_id', foreignKeyConstraintName: 'sessions_workflow_run_id_fkey' })
  workflowRun?: Relation<WorkflowRun> | null;

  @OneToMany(() => Message, (message) => message.session)
  messages?: Relation<Message[]>;
}
