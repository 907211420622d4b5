import { Check, Column, Entity, ForeignKey, Index, Unique } from 'typeorm';
import { BigIntColumn, IdColumn } from '@plue/db';

export type MentionTargetType = 'issue' | 'comment';

/** One row per mentioned user per issue body or comment; `targetId` is a row id, as in reactions. */
@Entity({
  name: 'mentions',
  comment:
    '@-mentions of users in issue bodies and comments, unique per target and user. Owner: collaboration-service.',
})
@Unique('mentions_target_type_target_id_user_id_key', ['targetType', 'targetId', 'userId'])
@Index('mentions_user_id_created_at_idx', ['userId', 'createdAt'])
@Check('mentions_target_type_check', `target_type IN ('issue', 'comment')`)
export class Mention {
  @IdColumn()
  id!: number;

  @Column({ name: 'target_type', type: 'text' })
  targetType!: MentionTargetType;

  @BigIntColumn({ name: 'target_id' })
  targetId!: number;

  @BigIntColumn({ name: 'user_id' })
  @ForeignKey('User', { name: 'mentions_user_id_fkey', onDelete: 'CASCADE' })
  userId!: number;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
