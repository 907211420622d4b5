import { Module } from '@nestjs/common';
import { BranchesDao, CommitStatusesDao, ProtectedBranchesDao, RepositoriesDao } from '@plue/git';
import { DataSource } from 'typeorm';
import { BranchesController } from './branches.controller';
import { CommitStatusesController } from './commit-statuses.controller';
import { ProtectedBranchesController } from './protected-branches.controller';
import { RepositoriesController } from './repositories.controller';
import { WorkflowRunsHandler } from './workflow-runs.handler';

/** DAOs are plain classes over the DataSource (see @plue/db), so they are built by factories. */
const daoProviders = [RepositoriesDao, BranchesDao, CommitStatusesDao, ProtectedBranchesDao].map((Dao) => ({
  provide: Dao,
  useFactory: (db: DataSource) => new Dao(db),
  inject: [DataSource],
}));

@Module({
  controllers: [
    RepositoriesController,
    BranchesController,
    CommitStatusesController,
    ProtectedBranchesController,
    WorkflowRunsHandler,
  ],
  providers: daoProviders,
})
export class GitServiceModule {}
