import { Module } from '@nestjs/common';
import { RunnerPoolDao, WorkflowDefinitionsDao, WorkflowLogsDao, WorkflowRunsDao, WorkflowStepsDao } from '@plue/agent';
import { DataSource } from 'typeorm';
import { BranchesHandler } from './branches.handler';
import { IssuesHandler } from './issues.handler';
import { RunnersController } from './runners.controller';
import { StaleRunnerReaper } from './stale-runner-reaper';
import { WorkflowsController } from './workflows.controller';

/** DAOs are plain classes over the DataSource (see @plue/db), so they are built by factories. */
const daoProviders = [WorkflowDefinitionsDao, WorkflowRunsDao, WorkflowStepsDao, WorkflowLogsDao, RunnerPoolDao].map(
  (Dao) => ({
    provide: Dao,
    useFactory: (db: DataSource) => new Dao(db),
    inject: [DataSource],
  }),
);

@Module({
  controllers: [WorkflowsController, RunnersController, BranchesHandler, IssuesHandler],
  providers: [...daoProviders, StaleRunnerReaper],
})
export class AgentServiceModule {}
