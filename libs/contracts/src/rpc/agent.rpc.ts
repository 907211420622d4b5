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

// ---------------------------------------------------------------------------------------------
// Workflow definitions, runs and logs: queries and deactivation
// ---------------------------------------------------------------------------------------------

/** One workflow definition by id, active or not. */
export const GetWorkflowDefinitionRpc = defineRpc({
  pattern: 'plue.rpc.agent.workflow_definition.get',
  request: z.object({ definitionId: id() }).strict(),
  reply: workflowDefinitionReply,
  errors: ['validation_failed', 'not_found'],
});

/** The repository's workflow definitions by file path; deactivated ones only when asked for. */
export const ListWorkflowDefinitionsRpc = defineRpc({
  pattern: 'plue.rpc.agent.workflow_definition.list',
  request: z.object({ repoId: id(), includeInactive: z.boolean().default(false) }).strict(),
  reply: z.object({ items: z.array(workflowDefinitionReply) }),
  errors: ['validation_failed'],
});

/**
 * Stops a definition from matching events (its file was removed from the repository). Its runs keep
 * it; upserting the same file path again reactivates it. Deactivating twice is not an error.
 */
export const DeactivateWorkflowDefinitionRpc = defineRpc({
  pattern: 'plue.rpc.agent.workflow_definition.deactivate',
  request: z.object({ definitionId: id() }).strict(),
  reply: workflowDefinitionReply,
  errors: ['validation_failed', 'not_found'],
});

/** A run with all its steps, in creation (topological) order. */
export const GetWorkflowRunRpc = defineRpc({
  pattern: 'plue.rpc.agent.workflow_run.get',
  request: z.object({ runId: id() }).strict(),
  reply: workflowRunReply.extend({ steps: z.array(workflowStepReply) }),
  errors: ['validation_failed', 'not_found'],
});

const workflowLogReply = z.object({
  sequence: z.number().int().min(0),
  logType: z.enum(['stdout', 'stderr', 'system', 'token', 'tool_call', 'tool_result']),
  content: z.string(),
  createdAt: timestamp(),
});

/**
 * A page of a step's log lines after `afterSequence` (-1: from the first line), in sequence order:
 * at most `limit` lines and about 512 KiB of content (always at least one line), so a reply fits in
 * a NATS message. `nextAfterSequence` is where the next page (or the next poll, while the step
 * runs) starts. `stepStatus` is read before the lines: once it is finished and `hasMore` is false,
 * the log is complete (a runner can append only while its step is running).
 */
export const ListWorkflowLogsRpc = defineRpc({
  pattern: 'plue.rpc.agent.workflow_log.list',
  request: z
    .object({
      stepId: id(),
      afterSequence: z.number().int().min(-1).max(Number.MAX_SAFE_INTEGER).default(-1),
      limit: z.number().int().min(1).max(1000).default(500),
    })
    .strict(),
  reply: z.object({
    items: z.array(workflowLogReply),
    nextAfterSequence: z.number().int().min(-1),
    hasMore: z.boolean(),
    stepStatus: workflowStepReply.shape.status,
  }),
  errors: ['validation_failed', 'not_found'],
});

// ---------------------------------------------------------------------------------------------
// Agent sessions, messages and parts: shapes
// ---------------------------------------------------------------------------------------------

const sessionStatus = z.enum(['idle', 'running', 'completed', 'failed', 'aborted']);

const sessionReply = z.object({
  id: id(),
  /** The owner: every session pattern is answered for one user only. */
  userId: id(),
  repoId: id().nullable(),
  parentId: id().nullable(),
  workflowRunId: id().nullable(),
  directory: z.string().nullable(),
  title: z.string().nullable(),
  model: z.string().nullable(),
  status: sessionStatus,
  tokenCount: z.number().int().min(0),
  createdAt: timestamp(),
  updatedAt: timestamp(),
  archivedAt: timestamp().nullable(),
});

const partReply = z.object({
  id: id(),
  messageId: id(),
  type: z.enum(['text', 'reasoning', 'tool_call', 'tool_result', 'file']),
  sortOrder: z.number().int().min(0),
  content: z.record(z.string(), z.unknown()),
  toolName: z.string().nullable(),
  toolCallId: z.string().nullable(),
  createdAt: timestamp(),
});

/** US dollars as an exact decimal string (numeric(12,6)), e.g. `"0.012500"`. */
const costUsdReply = z.string().regex(/^\d+\.\d{6}$/);

const messageStatus = z.enum(['pending', 'streaming', 'completed', 'failed', 'aborted']);

const messageReply = z.object({
  id: id(),
  sessionId: id(),
  role: z.enum(['user', 'assistant', 'system', 'tool']),
  status: messageStatus,
  model: z.string().nullable(),
  inputTokens: z.number().int().min(0),
  outputTokens: z.number().int().min(0),
  reasoningTokens: z.number().int().min(0),
  cacheReadTokens: z.number().int().min(0),
  cacheWriteTokens: z.number().int().min(0),
  costUsd: costUsdReply,
  error: z.string().nullable(),
  createdAt: timestamp(),
  updatedAt: timestamp(),
  completedAt: timestamp().nullable(),
  /** In sort order. */
  parts: z.array(partReply),
});

// What each part type carries: text and reasoning their `text`; a tool call its tool and call id;
// a tool result the call id it answers; a file its type and where it lives. The service also
// refuses the NUL character (jsonb cannot hold it) and two parts with one sort order.
const partText = z.looseObject({ text: z.string().max(1_048_576) });
const partToolName = z.string().min(1).max(255);
const partToolCallId = z.string().min(1).max(255);
const partJson = z.record(z.string(), z.unknown());
const partSortOrder = z.number().int().min(0).max(2_147_483_647).optional();

const newPart = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), content: partText, sortOrder: partSortOrder }).strict(),
  z.object({ type: z.literal('reasoning'), content: partText, sortOrder: partSortOrder }).strict(),
  z
    .object({
      type: z.literal('tool_call'),
      toolName: partToolName,
      toolCallId: partToolCallId,
      content: partJson.default({}),
      sortOrder: partSortOrder,
    })
    .strict(),
  z
    .object({
      type: z.literal('tool_result'),
      toolCallId: partToolCallId,
      toolName: partToolName.optional(),
      content: partJson.default({}),
      sortOrder: partSortOrder,
    })
    .strict(),
  z
    .object({
      type: z.literal('file'),
      content: z
        .looseObject({
          mimeType: z.string().min(1).max(255),
          url: z.url().max(4096).optional(),
          path: z.string().min(1).max(4096).optional(),
          name: z.string().min(1).max(255).optional(),
        })
        .refine((file) => file.url !== undefined || file.path !== undefined, 'a file part needs a url or a path'),
      sortOrder: partSortOrder,
    })
    .strict(),
]);

/** A message as written: parts without `sortOrder` follow the list order. */
const newMessageFields = {
  role: z.enum(['user', 'assistant', 'system', 'tool']),
  /** User and tool messages arrive complete; assistant messages start pending or streaming. */
  status: z.enum(['pending', 'streaming', 'completed']).default('pending'),
  model: z.string().min(1).max(255).optional(),
  parts: z.array(newPart).max(1000).default([]),
};

// ---------------------------------------------------------------------------------------------
// Agent sessions (per user: another user's session is not_found)
// ---------------------------------------------------------------------------------------------

/**
 * Creates a session owned by `userId`, and its first message with parts when given, in one
 * transaction. `parentId` (a sub-agent session) must be one of the same user's sessions.
 */
export const CreateSessionRpc = defineRpc({
  pattern: 'plue.rpc.agent.session.create',
  request: z
    .object({
      userId: id(),
      repoId: id().optional(),
      parentId: id().optional(),
      workflowRunId: id().optional(),
      directory: z.string().min(1).max(4096).optional(),
      title: z.string().max(255).optional(),
      model: z.string().min(1).max(255).optional(),
      firstMessage: z.object(newMessageFields).strict().optional(),
    })
    .strict(),
  reply: z.object({ session: sessionReply, firstMessage: messageReply.nullable() }),
  errors: ['validation_failed', 'not_found', 'missing_reference', 'invalid_value'],
});

/** The user's session; another user's session is `not_found`, never "forbidden". */
export const GetSessionRpc = defineRpc({
  pattern: 'plue.rpc.agent.session.get',
  request: z.object({ userId: id(), sessionId: id() }).strict(),
  reply: sessionReply,
  errors: ['validation_failed', 'not_found'],
});

/**
 * A page of the user's sessions, most recently active first (keyset cursor). Top-level sessions
 * unless `parentId` asks for a session's children; archived ones only when asked for.
 */
export const ListSessionsRpc = defineRpc({
  pattern: 'plue.rpc.agent.session.list',
  request: z
    .object({
      userId: id(),
      repoId: id().optional(),
      parentId: id().optional(),
      status: sessionStatus.optional(),
      includeArchived: z.boolean().default(false),
      after: z.string().min(1).max(200).optional(),
      limit: z.number().int().min(1).max(100).default(20),
    })
    .strict(),
  reply: z.object({ items: z.array(sessionReply), nextCursor: z.string().nullable() }),
  errors: ['validation_failed'],
});

/** Renames the user's session; null clears the title. */
export const UpdateSessionTitleRpc = defineRpc({
  pattern: 'plue.rpc.agent.session.update_title',
  request: z.object({ userId: id(), sessionId: id(), title: z.string().max(255).nullable() }).strict(),
  reply: sessionReply,
  errors: ['validation_failed', 'not_found'],
});

/** Archives the user's session (hidden from lists by default); archiving again keeps the first time. */
export const ArchiveSessionRpc = defineRpc({
  pattern: 'plue.rpc.agent.session.archive',
  request: z.object({ userId: id(), sessionId: id() }).strict(),
  reply: sessionReply,
  errors: ['validation_failed', 'not_found'],
});

export const UnarchiveSessionRpc = defineRpc({
  pattern: 'plue.rpc.agent.session.unarchive',
  request: z.object({ userId: id(), sessionId: id() }).strict(),
  reply: sessionReply,
  errors: ['validation_failed', 'not_found'],
});

export const SetSessionStatusRpc = defineRpc({
  pattern: 'plue.rpc.agent.session.set_status',
  request: z.object({ userId: id(), sessionId: id(), status: sessionStatus }).strict(),
  reply: sessionReply,
  errors: ['validation_failed', 'not_found'],
});

// ---------------------------------------------------------------------------------------------
// Messages and parts (addressed by id: the caller has checked the session is the user's)
// ---------------------------------------------------------------------------------------------

/** Appends a message with its parts in one transaction; the session becomes the most recently active. */
export const AppendMessageRpc = defineRpc({
  pattern: 'plue.rpc.agent.message.append',
  request: z.object({ sessionId: id(), ...newMessageFields }).strict(),
  reply: messageReply,
  errors: ['validation_failed', 'not_found', 'invalid_value'],
});

export const GetMessageRpc = defineRpc({
  pattern: 'plue.rpc.agent.message.get',
  request: z.object({ messageId: id() }).strict(),
  reply: messageReply,
  errors: ['validation_failed', 'not_found'],
});

/** A page of a session's messages in the order they were written, each with its parts. */
export const ListMessagesRpc = defineRpc({
  pattern: 'plue.rpc.agent.message.list',
  request: z
    .object({
      sessionId: id(),
      after: z.string().min(1).max(200).optional(),
      limit: z.number().int().min(1).max(100).default(20),
    })
    .strict(),
  reply: z.object({ items: z.array(messageReply), nextCursor: z.string().nullable() }),
  errors: ['validation_failed'],
});

/**
 * Moves a message along pending → streaming → completed, or to failed / aborted before it
 * completes; a finished message never changes again (`conflict`). `error` is kept with the message.
 */
export const UpdateMessageStatusRpc = defineRpc({
  pattern: 'plue.rpc.agent.message.update_status',
  request: z.object({ messageId: id(), status: messageStatus, error: z.string().max(65_536).optional() }).strict(),
  reply: messageReply,
  errors: ['validation_failed', 'not_found', 'conflict'],
});

/** The parts of the given messages, by message and sort order. */
export const ListPartsRpc = defineRpc({
  pattern: 'plue.rpc.agent.part.list',
  request: z.object({ messageIds: z.array(id()).min(1).max(100) }).strict(),
  reply: z.object({ items: z.array(partReply) }),
  errors: ['validation_failed'],
});

// ---------------------------------------------------------------------------------------------
// LLM usage (accounting)
// ---------------------------------------------------------------------------------------------

const llmUsageReply = z.object({
  id: id(),
  userId: id().nullable(),
  sessionId: id().nullable(),
  messageId: id().nullable(),
  model: z.string(),
  provider: z.string(),
  inputTokens: z.number().int().min(0),
  outputTokens: z.number().int().min(0),
  costUsd: costUsdReply,
  createdAt: timestamp(),
});

const tokenCount = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** Records one LLM call. */
export const RecordLlmUsageRpc = defineRpc({
  pattern: 'plue.rpc.agent.llm_usage.record',
  request: z
    .object({
      userId: id().optional(),
      sessionId: id().optional(),
      messageId: id().optional(),
      model: z.string().min(1).max(255),
      provider: z.string().min(1).max(255),
      inputTokens: tokenCount.default(0),
      outputTokens: tokenCount.default(0),
      /** A number or an exact decimal string with at most 6 places, below 1000000. */
      costUsd: z
        .union([
          z.number().nonnegative().lt(1_000_000),
          z.string().regex(/^\d{1,6}(\.\d{1,6})?$/, 'must be a decimal below 1000000 with at most 6 places'),
        ])
        .default('0'),
    })
    .strict(),
  reply: llmUsageReply,
  errors: ['validation_failed', 'missing_reference', 'invalid_value'],
});

/** The user's LLM calls, tokens and cost in the half-open period [from, to). */
export const SumLlmUsageRpc = defineRpc({
  pattern: 'plue.rpc.agent.llm_usage.sum',
  request: z
    .object({ userId: id(), from: timestamp(), to: timestamp() })
    .strict()
    // Written so that a time that does not parse (NaN) passes here: its own field already reports it.
    .refine((period) => !(Date.parse(period.from) >= Date.parse(period.to)), {
      message: 'must be after from',
      path: ['to'],
    }),
  reply: z.object({
    calls: z.number().int().min(0),
    inputTokens: z.number().int().min(0),
    outputTokens: z.number().int().min(0),
    costUsd: costUsdReply,
  }),
  errors: ['validation_failed'],
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
  GetWorkflowDefinitionRpc,
  ListWorkflowDefinitionsRpc,
  DeactivateWorkflowDefinitionRpc,
  GetWorkflowRunRpc,
  ListWorkflowLogsRpc,
  CreateSessionRpc,
  GetSessionRpc,
  ListSessionsRpc,
  UpdateSessionTitleRpc,
  ArchiveSessionRpc,
  UnarchiveSessionRpc,
  SetSessionStatusRpc,
  AppendMessageRpc,
  GetMessageRpc,
  ListMessagesRpc,
  UpdateMessageStatusRpc,
  ListPartsRpc,
  RecordLlmUsageRpc,
  SumLlmUsageRpc,
] as const;
