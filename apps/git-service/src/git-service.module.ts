import { Module } from '@nestjs/common';
import {
  BranchesDao,
  CollaboratorsDao,
  CommitStatusesDao,
  ProtectedBranchesDao,
  RepositoriesDao,
  StarsDao,
  WatchesDao,
} from '@plue/git';
import { DataSource } from 'typeorm';
import { BranchesController } from './branches.controller';
import { CollaboratorsController } from './collaborators.controller';
import { CommitStatusesController } from './commit-statuses.controller';
import { ProtectedBranchesController } from './protected-branches.controller';
import { RepositoriesController } from './repositories.controller';
import { StarsController } from './stars.controller';
import { WatchesController } from './watches.controller';
import { UserDeletionHandler } from './user-deletion.handler';
import { WorkflowRunsHandler } from './workflow-runs.handler';

/** DAOs are plain classes over the DataSource (see @plue/db), so they are built by factories. */
const daoProviders = [
  RepositoriesDao,
  BranchesDao,
  CommitStatusesDao,
  CollaboratorsDao,
  StarsDao,
  WatchesDao,
  ProtectedBranchesDao,
].map((Dao) => ({
  provide: Dao,
  useFactory: (db: DataSource) => new Dao(db),
  inject: [DataSource],
}));

@Module({
  controllers: [
    RepositoriesController,
    BranchesController,
    CollaboratorsController,
    StarsController,
    WatchesController,
    CommitStatusesController,
    ProtectedBranchesController,
    WorkflowRunsHandler,
    UserDeletionHandler,
  ],
  providers: daoProviders,
})
export class GitServiceModule {}
