import { z } from 'zod';
import { commitSha, id, timestamp } from '../event-payload-fields';
import { defineRpc } from './rpc-contract';

// Requests are strict: an unknown key is a caller's mistake worth reporting, not something to drop.

const workflowDefinitionReply = z.object({
  id: id(),
  repoId: id(),
  name: z.string(),
  filePath: z.string(),
  triggers: z.array(z.record(z.string(), z.unknown())),
  plan: z.record(z.string(), z.unknown()),
  contentHash: z.string(),
  isActive: z.boolean(),
  createdAt: timestamp(),
  updatedAt: timestamp(),
});

const runStatus = z.enum(['queued', 'running', 'success', 'failure', 'cancelled', 'skipped', 'error']);

const workflowRunReply = z.object({
  id: id(),
  repoId: id(),
  definitionId: id(),
  runNumber: id(),
  triggerType: z.string(),
  ref: z.string().nullable(),
  headCommitSha: commitSha().nullable(),
  status: runStatus,
  startedAt: timestamp().nullable(),
  completedAt: timestamp().nullable(),
  createdAt: timestamp(),
});

const workflowStepReply = z.object({
  id: id(),
  runId: id(),
  stepKey: z.string(),
  name: z.string(),
  type: z.enum(['shell', 'llm', 'agent']),
  /** The step's definition from the plan; shell steps carry `run` as an argv array. */
  config: z.record(z.string(), z.unknown()),
  dependsOn: z.array(z.string()),
  status: z.enum(['pending', 'ready', 'claimed', 'running', 'success', 'failure', 'skipped', 'cancelled']),
  runnerId: id().nullable(),
  attempt: z.number().int().min(0),
  exitCode: z.number().int().nullable(),
  error: z.string().nullable(),
  startedAt: timestamp().nullable(),
  completedAt: timestamp().nullable(),
});

const runnerReply = z.object({
  id: id(),
  podName: z.string(),
  podIp: z.string().nullable(),
  status: z.enum(['available', 'claimed', 'terminated']),
  labels: z.array(z.string()),
  lastHeartbeat: timestamp(),
  claimedByStepId: id().nullable(),
});

/**
 * Creates or replaces the workflow file stored for (repoId, filePath) and makes it active. The
 * triggers and the plan (a step DAG) are validated: a cycle or an unknown dependency is a
 * `validation_failed` naming the step ids.
 */
export const UpsertWorkflowDefinitionRpc = defineRpc({
  pattern: 'plue.rpc.agent.workflow_definition.upsert',
  request: z
    .object({
      repoId: id(),
      name: z.string().min(1).max(255),
      filePath: z.string().min(1).max(1024),
      /** `[{ event: 'push', branches?, branches_ignore? } | { event: 'issue', types?, mentions? } | …]`. */
      triggers: z.array(z.record(z.string(), z.unknown())).max(50),
      /** `{ steps: [{ id, name, type: 'shell' | 'llm' | 'agent', depends_on?, run? | prompt? }] }`. */
      plan: z.record(z.string(), z.unknown()),
      contentHash: z.string().regex(/^[0-9a-f]{64}$/, 'must be a lowercase hex SHA-256'),
    })
    .strict(),
  reply: workflowDefinitionReply,
  errors: ['validation_failed', 'missing_reference', 'invalid_value'],
});

/** The repository's newest workflow runs with their workflow's name (newest first). */
export const ListRecentWorkflowRunsRpc = defineRpc({
  pattern: 'plue.rpc.agent.workflow_run.list_recent',
  request: z.object({ repoId: id(), limit: z.number().int().min(1).max(100).default(20) }).strict(),
  reply: z.object({ items: z.array(workflowRunReply.extend({ workflowName: z.string() })) }),
  errors: ['validation_failed'],
});

/** Registers a runner pod (or re-registers it after a restart: what it held returns to the queue). */
export const RegisterRunnerRpc = defineRpc({
  pattern: 'plue.rpc.agent.runner.register',
  request: z
    .object({
      podName: z.string().min(1).max(253),
      podIp: z.union([z.ipv4(), z.ipv6()]).optional(),
      labels: z.array(z.string().min(1).max(255)).max(64).default([]),
    })
    .strict(),
  reply: runnerReply,
  errors: ['validation_failed', 'invalid_value'],
});

/** Records that a runner is alive; `conflict` once it was terminated (it must register again). */
export const RunnerHeartbeatRpc = defineRpc({
  pattern: 'plue.rpc.agent.runner.heartbeat',
  request: z.object({ runnerId: id() }).strict(),
  reply: runnerReply,
  errors: ['validation_failed', 'not_found', 'conflict'],
});

/**
 * Hands the oldest ready step of an active run to the runner and starts it (ready → claimed →
 * running in one transaction; the run becomes running). `step` is null when nothing is ready (the
 * poll counts as a heartbeat). `conflict` when the runner is not available (it holds a step).
 */
export const ClaimWorkflowStepRpc = defineRpc({
  pattern: 'plue.rpc.agent.workflow_step.claim',
  request: z.object({ runnerId: id() }).strict(),
  reply: z.object({ step: workflowStepReply.nullable() }),
  errors: ['validation_failed', 'not_found', 'conflict'],
});

/**
 * Reports the result of the step the runner is running: releases the runner, readies the steps
 * whose dependencies all succeeded, skips the dependents of a failed step, and completes the run
 * with its last step, emitting `plue.agent.workflow_run.completed` in the same transaction.
 */
export const CompleteWorkflowStepRpc = defineRpc({
  pattern: 'plue.rpc.agent.workflow_step.complete',
  request: z
    .object({
      runnerId: id(),
      stepId: id(),
      status: z.enum(['success', 'failure']),
      exitCode: z.number().int().min(-2_147_483_648).max(2_147_483_647).optional(),
      output: z.unknown().optional(),
      error: z.string().max(65_536).optional(),
    })
    .strict(),
  reply: z.object({ step: workflowStepReply, run: workflowRunReply }),
  errors: ['validation_failed', 'not_found', 'conflict'],
});

/**
 * Appends a batch of log lines to the step the runner is running, in order; each line gets the
 * step's next sequence (from 0, gapless). `conflict` when the step is not running on this runner.
 */
export const AppendWorkflowLogsRpc = defineRpc({
  pattern: 'plue.rpc.agent.workflow_step.append_logs',
  request: z
    .object({
      runnerId: id(),
      stepId: id(),
      lines: z
        .array(
          z
            .object({
              logType: z.enum(['stdout', 'stderr', 'system', 'token', 'tool_call', 'tool_result']).default('stdout'),
              content: z.string().max(1_048_576),
            })
            .strict(),
        )
        .min(1)
        .max(10_000),
    })
    .strict(),
  reply: z.object({
    count: z.number().int().min(1),
    firstSequence: z.number().int().min(0),
    lastSequence: z.number().int().min(0),
  }),
  errors: ['validation_failed', 'not_found', 'conflict'],
});

/**
 * Cancels a queued or running run: its pending and ready steps are cancelled (no further step is
 * handed out; steps already running finish on their runners) and `plue.agent.workflow_run.completed`
 * (status `cancelled`) is emitted in the same transaction. `conflict` when the run has finished.
 */
export const CancelWorkflowRunRpc = defineRpc({
  pattern: 'plue.rpc.agent.workflow_run.cancel',
  request: z.object({ runId: id() }).strict(),
  reply: workflowRunReply,
  errors: ['validation_failed', 'not_found', 'conflict'],
});

export const AGENT_RPC_CONTRACTS = [
  UpsertWorkflowDefinitionRpc,
  ListRecentWorkflowRunsRpc,
  RegisterRunnerRpc,
  RunnerHeartbeatRpc,
  ClaimWorkflowStepRpc,
  CompleteWorkflowStepRpc,
  AppendWorkflowLogsRpc,
  CancelWorkflowRunRpc,
] as const;
