import { Module } from '@nestjs/common';
import { CommentsDao, IssueAssigneesDao, IssuesDao, LabelsDao, MentionsDao, MilestonesDao } from '@plue/collaboration';
import { DataSource } from 'typeorm';
import { CommentsController } from './comments.controller';
import { IssueAssigneesController } from './issue-assignees.controller';
import { IssueLabelsController } from './issue-labels.controller';
import { IssuesController } from './issues.controller';
import { LabelsController } from './labels.controller';
import { MilestonesController } from './milestones.controller';
import { RepositoriesHandler } from './repositories.handler';

/** DAOs are plain classes over the DataSource (see @plue/db), so they are built by factories. */
const daoProviders = [IssuesDao, CommentsDao, LabelsDao, MentionsDao, MilestonesDao, IssueAssigneesDao].map((Dao) => ({
  provide: Dao,
  useFactory: (db: DataSource) => new Dao(db),
  inject: [DataSource],
}));

@Module({
  controllers: [
    IssuesController,
    CommentsController,
    RepositoriesHandler,
    LabelsController,
    IssueLabelsController,
    MilestonesController,
    IssueAssigneesController,
  ],
  providers: daoProviders,
})
export class CollaborationServiceModule {}
