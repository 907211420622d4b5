import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity({ name: 'rate_limits', comment: 'Fixed-window rate-limit counters per key. Owner: auth-service.' })
@Check('rate_limits_key_check', `char_length(key) BETWEEN 1 AND 512`)
@Check('rate_limits_count_check', `count >= 0`)
export class RateLimit {
  @PrimaryColumn({ name: 'key', type: 'text', primaryKeyConstraintName: 'rate_limits_pkey' })
  key!: string;

  @Index('rate_limits_window_start_idx')
  @PrimaryColumn({ name: 'window_start', type: 'timestamptz', primaryKeyConstraintName: 'rate_limits_pkey' })
  windowStart!: Date;

  @Column({ name: 'count', type: 'integer', default: 0 })
  count!: number;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
