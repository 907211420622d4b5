import { BigIntColumn, IdColumn } from '@plue/db';
import { Check, Column, Entity, Index, JoinColumn, ManyToOne, Unique, type Relation } from 'typeorm';
import { WorkflowStep } from './workflow-step.entity';

export const RUNNER_STATUSES = ['available', 'claimed', 'terminated'] as const;
export type RunnerStatus = (typeof RUNNER_STATUSES)[number];

@Entity({
  name: 'runner_pool',
  comment: 'Registry of warm runner pods and which step each has claimed. Owner: agent-service.',
})
@Unique('runner_pool_pod_name_key', ['podName'])
// One runner per step.
@Index('runner_pool_claimed_by_step_id_key', { synchronize: false }) // UNIQUE (claimed_by_step_id) WHERE NOT NULL
@Index('runner_pool_status_last_heartbeat_idx', ['status', 'lastHeartbeat'])
@Check('runner_pool_pod_name_check', `char_length(pod_name) BETWEEN 1 AND 253`)
@Check('runner_pool_status_check', `status IN ('available', 'claimed', 'terminated')`)
@Check('runner_pool_claim_check', `status <> 'available' OR (claimed_by_step_id IS NULL AND claimed_at IS NULL)`)
@Check('runner_pool_labels_check', `array_position(labels, NULL) IS NULL`)
export class Runner {
  @IdColumn()
  id!: number;

  @Column({ name: 'pod_name', type: 'text' })
  podName!: string;

  @Column({ name: 'pod_ip', type: 'inet', nullable: true })
  podIp!: string | null;

  @Column({ name: 'status', type: 'text', default: 'available' })
  status!: RunnerStatus;

  @Column({ name: 'labels', type: 'text', array: true, default: () => `'{}'` })
  labels!: string[];

  @Column({ name: 'last_heartbeat', type: 'timestamptz', default: () => 'now()' })
  lastHeartbeat!: Date;

  @BigIntColumn({ name: 'claimed_by_step_id', nullable: true })
  claimedByStepId!: number | null;

  @Column({ name: 'claimed_at', type: 'timestamptz', nullable: true })
  claimedAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;

  @ManyToOne(() => WorkflowStep, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'claimed_by_step_id', foreignKeyConstraintName: 'runner_pool_claimed_by_step_id_fkey' })
  claimedByStep?: Relation<WorkflowStep> | null;
}
