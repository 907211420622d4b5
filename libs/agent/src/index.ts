import { LlmUsage } from './entities/llm-usage.entity';
import { Message } from './entities/message.entity';
import { Part } from './entities/part.entity';
import { Runner } from './entities/runner.entity';
import { Session } from './entities/session.entity';
import { WorkflowDefinition } from './entities/workflow-definition.entity';
import { WorkflowLog } from './entities/workflow-log.entity';
import { WorkflowRun } from './entities/workflow-run.entity';
import { WorkflowStep } from './entities/workflow-step.entity';

export * from './entities/llm-usage.entity';
export * from './entities/message.entity';
export * from './entities/part.entity';
export * from './entities/runner.entity';
export * from './entities/session.entity';
export * from './entities/workflow-definition.entity';
export * from './entities/workflow-log.entity';
export * from './entities/workflow-run.entity';
export * from './entities/workflow-step.entity';

export { SessionsDao, type CreateSessionData, type SessionListFilters } from './sessions.dao';
export {
  MessagesDao,
  type AppendMessageData,
  type NewMessage,
  type MessageUsage,
  type MessageListOptions,
} from './messages.dao';
export { PartsDao } from './parts.dao';
export { LlmUsageDao, type LlmUsageData, type UsagePeriod, type UsageTotals } from './llm-usage.dao';
export { WorkflowDefinitionsDao, type UpsertWorkflowDefinitionData } from './workflow-definitions.dao';
export { WorkflowRunsDao, type WorkflowRunTrigger, type WorkflowRunWithName } from './workflow-runs.dao';
export { WorkflowStepsDao, type WorkflowStepResult } from './workflow-steps.dao';
export { WorkflowLogsDao, type WorkflowLogLine, type WorkflowLogTail, type AppendedLogs } from './workflow-logs.dao';
export { RunnerPoolDao, type RegisterRunnerData, type ReapResult } from './runner-pool.dao';

export * from './workflow-plan';
export * from './workflow-triggers';
export { partInputSchema, type PartInput } from './message-parts';
export { canChangeMessageStatus, FINISHED_MESSAGE_STATUSES } from './message-status';
export type { Page } from './keyset-cursor';

/** Every entity of the agent-service's tables, for building DataSources. */
export const AGENT_ENTITIES = [
  Session,
  Message,
  Part,
  LlmUsage,
  WorkflowDefinition,
  WorkflowRun,
  WorkflowStep,
  WorkflowLog,
  Runner,
];
