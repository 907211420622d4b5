import { Check, Column, Entity, ForeignKey, Index, Unique } from 'typeorm';
import { BigIntColumn, IdColumn } from '@plue/db';

export type MilestoneState = 'open' | 'closed';

@Entity({
  name: 'milestones',
  comment: 'Milestones of a repository; titles unique per repository case-insensitively. Owner: collaboration-service.',
})
@Unique('milestones_id_repo_id_key', ['id', 'repoId'])
@Index('milestones_repo_id_lower_title_key', { synchronize: false })
@Check('milestones_title_check', `char_length(title) BETWEEN 1 AND 255 AND btrim(title) <> ''`)
@Check('milestones_description_check', 'char_length(description) <= 65536')
@Check('milestones_state_check', `state IN ('open', 'closed')`)
@Check('milestones_closed_at_check', `(state = 'closed') = (closed_at IS NOT NULL)`)
export class Milestone {
  @IdColumn()
  id!: number;

  @BigIntColumn({ name: 'repo_id' })
  @ForeignKey('Repository', { name: 'milestones_repo_id_fkey', onDelete: 'CASCADE' })
  repoId!: number;

  @Column({ name: 'title', type: 'text' })
  title!: string;

  @Column({ name: 'description', type: 'text', nullable: true })
  description!: string | null;

  @Column({ name: 'state', type: 'text', default: 'open' })
  state!: MilestoneState;

  @Column({ name: 'due_date', type: 'date', nullable: true })
  dueDate!: string | null;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
