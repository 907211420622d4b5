import { Check, Column, Entity, ForeignKey, Index } from 'typeorm';
import { BigIntColumn, IdColumn } from '@plue/db';

@Entity({
  name: 'labels',
  comment: 'Labels of a repository: unique name (case-insensitive), #rrggbb color. Owner: collaboration-service.',
})
@Index('labels_repo_id_lower_name_key', { synchronize: false })
@Check('labels_name_check', `char_length(name) BETWEEN 1 AND 50 AND btrim(name) <> ''`)
@Check('labels_color_check', `color ~ '^#[0-9a-fA-F]{6}$'`)
@Check('labels_description_check', 'char_length(description) <= 255')
export class Label {
  @IdColumn()
  id!: number;

  @BigIntColumn({ name: 'repo_id' })
  @ForeignKey('Repository', { name: 'labels_repo_id_fkey', onDelete: 'CASCADE' })
  repoId!: number;

  @Column({ name: 'name', type: 'text' })
  name!: string;

  /** `#rrggbb`. */
  @Column({ name: 'color', type: 'text' })
  color!: string;

  @Column({ name: 'description', type: 'text', nullable: true })
  description!: string | null;

  /** Exclusive labels ("scope/value") allow one label of a scope per issue. */
  @Column({ name: 'exclusive', type: 'boolean', default: false })
  exclusive!: boolean;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
