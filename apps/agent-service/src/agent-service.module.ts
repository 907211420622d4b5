import { Module } from '@nestjs/common';
import {
  LlmUsageDao,
  MessagesDao,
  PartsDao,
  RunnerPoolDao,
  SessionsDao,
  WorkflowDefinitionsDao,
  WorkflowLogsDao,
  WorkflowRunsDao,
  WorkflowStepsDao,
} from '@plue/agent';
import { DataSource } from 'typeorm';
import { BranchesHandler } from './branches.handler';
import { IssuesHandler } from './issues.handler';
import { LlmUsageController } from './llm-usage.controller';
import { MessagesController } from './messages.controller';
import { PartsController } from './parts.controller';
import { RunnersController } from './runners.controller';
import { SessionsController } from './sessions.controller';
import { StaleRunnerReaper } from './stale-runner-reaper';
import { WorkflowDefinitionsController } from './workflow-definitions.controller';
import { WorkflowLogsController } from './workflow-logs.controller';
import { WorkflowRunsController } from './workflow-runs.controller';
import { WorkflowsController } from './workflows.controller';

/** DAOs are plain classes over the DataSource (see @plue/db), so they are built by factories. */
const daoProviders = [
  WorkflowDefinitionsDao,
  WorkflowRunsDao,
  WorkflowStepsDao,
  WorkflowLogsDao,
  RunnerPoolDao,
  SessionsDao,
  MessagesDao,
  PartsDao,
  LlmUsageDao,
].map((Dao) => ({
  provide: Dao,
  useFactory: (db: DataSource) => new Dao(db),
  inject: [DataSource],
}));

@Module({
  controllers: [
    WorkflowsController,
    RunnersController,
    BranchesHandler,
    IssuesHandler,
    WorkflowDefinitionsController,
    WorkflowRunsController,
    WorkflowLogsController,
    SessionsController,
    MessagesController,
    PartsController,
    LlmUsageController,
  ],
  providers: [...daoProviders, StaleRunnerReaper],
})
export class AgentServiceModule {}
