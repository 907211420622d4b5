import { Check, Column, Entity, ForeignKey, Index, Unique } from 'typeorm';
import { BigIntColumn, IdColumn } from '@plue/db';

export const REACTION_CONTENTS = ['+1', '-1', 'laugh', 'hooray', 'confused', 'heart', 'rocket', 'eyes'] as const;
export type ReactionContent = (typeof REACTION_CONTENTS)[number];
export type ReactionTargetType = 'issue' | 'comment';

/** `targetId` is ALWAYS a row id: issues.id or comments.id, never an issue number. */
@Entity({
  name: 'reactions',
  comment: 'Emoji reactions on issues or comments; target_id is always the row id. Owner: collaboration-service.',
})
@Unique('reactions_target_type_target_id_user_id_content_key', ['targetType', 'targetId', 'userId', 'content'])
@Index('reactions_user_id_idx', ['userId'])
@Check('reactions_target_type_check', `target_type IN ('issue', 'comment')`)
@Check('reactions_content_check', `content IN ('+1', '-1', 'laugh', 'hooray', 'confused', 'heart', 'rocket', 'eyes')`)
export class Reaction {
  @IdColumn()
  id!: number;

  @BigIntColumn({ name: 'user_id' })
  @ForeignKey('User', { name: 'reactions_user_id_fkey', onDelete: 'CASCADE' })
  userId!: number;

  @Column({ name: 'target_type', type: 'text' })
  targetType!: ReactionTargetType;

  @BigIntColumn({ name: 'target_id' })
  targetId!: number;

  @Column({ name: 'content', type: 'text' })
  content!: ReactionContent;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
