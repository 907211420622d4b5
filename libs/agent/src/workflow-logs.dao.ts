import { bigintToNumber, inTransaction, parseInput, type Tx, queryEntities, queryRows } from '@plue/db';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { WORKFLOW_LOG_TYPES, WorkflowLog } from './entities/workflow-log.entity';
import { idSchema } from './input-schemas';

const linesSchema = z
  .array(
    z.strictObject({
      logType: z.enum(WORKFLOW_LOG_TYPES).default('stdout'),
      content: z.string().max(1_048_576),
    }),
  )
  .min(1)
  .max(10_000);
export type WorkflowLogLine = z.input<typeof linesSchema>[number];

const tailSchema = z.strictObject({
  afterSequence: z.number().int().min(-1).max(Number.MAX_SAFE_INTEGER).default(-1),
  limit: z.number().int().min(1).max(10_000).default(1000),
});
export type WorkflowLogTail = z.input<typeof tailSchema>;

/** The sequences a batch received: firstSequence..lastSequence, consecutive. */
export interface AppendedLogs {
  count: number;
  firstSequence: number;
  lastSequence: number;
}

/**
 * Output of workflow steps. Each line gets the next sequence of its step, allocated by the
 * database (trigger on workflow_logs, counter workflow_steps.next_log_sequence under the step's
 * row lock): sequences start at 0 and are unique and gapless per step even with concurrent
 * appenders, and a failed batch gives its numbers back (the origin computed MAX+1, which raced).
 */
export class WorkflowLogsDao {
  constructor(private readonly db: DataSource) {}

  /** Appends a batch of lines in order, in one statement. MissingReferenceError for an unknown step. */
  async append(stepId: number, lines: WorkflowLogLine[], tx?: Tx): Promise<AppendedLogs> {
    const step = parseInput(idSchema, stepId);
    const batch = parseInput(linesSchema, lines);
    return inTransaction(tx ?? this.db, async (manager) => {
      const rows = await queryRows<{ sequence: string }>(
        manager,
        `INSERT INTO workflow_logs (step_id, log_type, content)
         SELECT $1, l.log_type, l.content
           FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS l(log_type, content, position)
          ORDER BY l.position
         RETURNING sequence`,
        [step, batch.map((line) => line.logType), batch.map((line) => line.content)],
      );
      const sequences = rows.map((row) => bigintToNumber(row.sequence));
      return { count: sequences.length, firstSequence: Math.min(...sequences), lastSequence: Math.max(...sequences) };
    });
  }

  /** Lines of the step after `afterSequence` (-1: from the start), in order: for tailing a log. */
  async listAfter(stepId: number, tail: WorkflowLogTail = {}, tx?: Tx): Promise<WorkflowLog[]> {
    const step = parseInput(idSchema, stepId);
    const { afterSequence, limit } = parseInput(tailSchema, tail);
    return queryEntities(
      tx ?? this.db.manager,
      WorkflowLog,
      'SELECT * FROM workflow_logs WHERE step_id = $1 AND sequence > $2 ORDER BY sequence LIMIT $3',
      [step, afterSequence, limit],
    );
  }
}
