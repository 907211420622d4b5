import { ConflictError, inTransaction, NotFoundError, parseInput, type Tx, queryEntities, queryRows } from '@plue/db';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { Runner } from './entities/runner.entity';
import type { WorkflowStep } from './entities/workflow-step.entity';
import { idSchema } from './input-schemas';
import { ACTIVE_RUN_STATUSES, requeueStepsOf } from './workflow-run-progress';

const labelsSchema = z.array(z.string().min(1).max(255)).max(64);

const registerSchema = z.strictObject({
  podName: z.string().min(1).max(253),
  podIp: z.union([z.ipv4(), z.ipv6()]).optional(),
  labels: labelsSchema.default([]),
});
export type RegisterRunnerData = z.input<typeof registerSchema>;

/** Runners reaped by reapStale and the steps they held, now back in the queue (or cancelled). */
export interface ReapResult {
  runners: Runner[];
  requeuedSteps: WorkflowStep[];
}

/**
 * The pool of warm runner pods: available → claimed (by one step) → available, or terminated
 * when a pod stops sending heartbeats. A step holds at most one runner and a runner one step.
 */
export class RunnerPoolDao {
  constructor(private readonly db: DataSource) {}

  async getById(id: number, tx?: Tx): Promise<Runner | null> {
    const runnerId = parseInput(idSchema, id);
    return (tx ?? this.db.manager).findOneBy(Runner, { id: runnerId });
  }

  /**
   * Registers a pod, or re-registers it after a restart (same pod_name): it becomes available
   * with a fresh heartbeat. Whatever the pod held before the restart returns to the queue.
   */
  async register(data: RegisterRunnerData, tx?: Tx): Promise<Runner> {
    const input = parseInput(registerSchema, data);
    return inTransaction(tx ?? this.db, async (manager) => {
      const previous = await queryEntities(
        manager,
        Runner,
        'SELECT * FROM runner_pool WHERE pod_name = $1 FOR UPDATE',
        [input.podName],
      );
      await requeueStepsOf(
        manager,
        previous.map((runner) => runner.id),
      );
      const [runner] = await queryEntities(
        manager,
        Runner,
        `INSERT INTO runner_pool (pod_name, pod_ip, labels) VALUES ($1, $2, $3::text[])
         ON CONFLICT (pod_name) DO UPDATE
            SET pod_ip = excluded.pod_ip, labels = excluded.labels, status = 'available',
                claimed_by_step_id = NULL, claimed_at = NULL, last_heartbeat = now()
         RETURNING *`,
        [input.podName, input.podIp ?? null, input.labels],
      );
      return runner;
    });
  }

  /** Records that the pod is alive. ConflictError once it has been terminated (it must register again). */
  async heartbeat(id: number, tx?: Tx): Promise<Runner> {
    const runnerId = parseInput(idSchema, id);
    return inTransaction(tx ?? this.db, async (manager) => {
      const [runner] = await queryEntities(
        manager,
        Runner,
        `UPDATE runner_pool SET last_heartbeat = now() WHERE id = $1 AND status <> 'terminated' RETURNING *`,
        [runnerId],
      );
      if (runner) return runner;
      throw await this.missingOrTerminated(manager, runnerId);
    });
  }

  /**
   * Claims an available runner (having all the given labels) for a ready step of an active run:
   * runner and step become `claimed` together. Concurrent claimers never get the same runner
   * (FOR UPDATE SKIP LOCKED: each skips the rows another is claiming). Returns null when no runner
   * is available; ConflictError when the step is not ready (or already holds a runner).
   */
  async claimAvailable(stepId: number, options: { labels?: string[] } = {}, tx?: Tx): Promise<Runner | null> {
    const step = parseInput(idSchema, stepId);
    const { labels } = parseInput(z.strictObject({ labels: labelsSchema.default([]) }), options);
    return inTransaction(tx ?? this.db, async (manager) => {
      const [runner] = await queryEntities(
        manager,
        Runner,
        `UPDATE runner_pool SET status = 'claimed', claimed_by_step_id = $1, claimed_at = now()
          WHERE id = (SELECT id FROM runner_pool
                       WHERE status = 'available' AND labels @> $2::text[]
                       ORDER BY last_heartbeat DESC, id
                       LIMIT 1
                         FOR UPDATE SKIP LOCKED)
          RETURNING *`,
        [step, labels],
      );
      if (!runner) return null;
      const claimed = await queryRows(
        manager,
        `UPDATE workflow_steps s SET status = 'claimed', runner_id = $2, attempt = s.attempt + 1
           FROM workflow_runs r
          WHERE s.id = $1 AND s.status = 'ready' AND r.id = s.run_id AND r.status = ANY ($3::text[])
          RETURNING s.id`,
        [step, runner.id, ACTIVE_RUN_STATUSES],
      );
      if (claimed.length === 0)
        throw new ConflictError(`workflow step ${step} is not ready to be claimed`, { field: 'stepId' });
      return runner;
    });
  }

  /**
   * Makes a claimed runner available again. A step it held that has not finished returns to the
   * queue. ConflictError when the runner has been terminated.
   */
  async release(id: number, tx?: Tx): Promise<Runner> {
    const runnerId = parseInput(idSchema, id);
    return inTransaction(tx ?? this.db, async (manager) => {
      const [current] = await queryEntities(manager, Runner, 'SELECT * FROM runner_pool WHERE id = $1 FOR UPDATE', [
        runnerId,
      ]);
      if (!current || current.status === 'terminated') throw await this.missingOrTerminated(manager, runnerId);
      await requeueStepsOf(manager, [runnerId]);
      const [runner] = await queryEntities(
        manager,
        Runner,
        `UPDATE runner_pool SET status = 'available', claimed_by_step_id = NULL, claimed_at = NULL WHERE id = $1 RETURNING *`,
        [runnerId],
      );
      return runner;
    });
  }

  /**
   * Terminates runners whose last heartbeat is older than `olderThanSeconds` and returns the
   * steps they held to the queue (ready again, or cancelled when their run is no longer active).
   * Runners another transaction is working on are left for the next sweep.
   */
  async reapStale(olderThanSeconds: number, tx?: Tx): Promise<ReapResult> {
    const seconds = parseInput(
      z
        .number()
        .positive()
        .max(365 * 86_400),
      olderThanSeconds,
    );
    return inTransaction(tx ?? this.db, async (manager) => {
      const runners = await queryEntities(
        manager,
        Runner,
        `UPDATE runner_pool SET status = 'terminated', claimed_by_step_id = NULL, claimed_at = NULL
          WHERE id IN (SELECT id FROM runner_pool
                        WHERE status <> 'terminated' AND last_heartbeat < now() - make_interval(secs => $1)
                          FOR UPDATE SKIP LOCKED)
          RETURNING *`,
        [seconds],
      );
      const requeuedSteps = await requeueStepsOf(
        manager,
        runners.map((runner) => runner.id),
      );
      return { runners, requeuedSteps };
    });
  }

  private async missingOrTerminated(tx: Tx, runnerId: number): Promise<Error> {
    const runner = await tx.findOneBy(Runner, { id: runnerId });
    if (!runner) return new NotFoundError(`runner ${runnerId} not found`, { field: 'id' });
    return new ConflictError(`runner ${runnerId} has been terminated: register it again`, { field: 'id' });
  }
}
