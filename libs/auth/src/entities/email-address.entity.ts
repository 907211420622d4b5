import { BigIntColumn, IdColumn } from '@plue/db';
import { Check, Column, Entity, Index, JoinColumn, ManyToOne } from 'typeorm';
import { User } from './user.entity';

@Entity({
  name: 'email_addresses',
  comment: 'E-mail addresses of users; at most one primary per user. Owner: auth-service.',
})
// An expression index and a partial unique index: TypeORM cannot express them, so it leaves them alone.
@Index('email_addresses_lower_email_key', { synchronize: false })
@Index('email_addresses_user_id_primary_key', { synchronize: false })
@Check('email_addresses_email_check', `char_length(email) <= 254 AND email ~ '^[^@\\s]+@[^@\\s]+$'`)
export class EmailAddress {
  @IdColumn()
  id!: number;

  @Index('email_addresses_user_id_idx')
  @BigIntColumn({ name: 'user_id' })
  userId!: number;

  @Column({ name: 'email', type: 'text' })
  email!: string;

  @Column({ name: 'is_primary', type: 'boolean', default: false })
  isPrimary!: boolean;

  @Column({ name: 'is_verified', type: 'boolean', default: false })
  isVerified!: boolean;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;

  @ManyToOne(() => User, (user) => user.emailAddresses, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'email_addresses_user_id_fkey' })
  user?: User;
}
