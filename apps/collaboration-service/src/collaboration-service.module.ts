import { Module } from '@nestjs/common';
import {
  CommentsDao,
  IssueAssigneesDao,
  IssueDependenciesDao,
  IssueEventsDao,
  IssuesDao,
  LabelsDao,
  MentionsDao,
  MilestonesDao,
  PinnedIssuesDao,
  ReactionsDao,
  UserReassignmentDao,
} from '@plue/collaboration';
import { DataSource } from 'typeorm';
import { CommentsController } from './comments.controller';
import { IssueAssigneesController } from './issue-assignees.controller';
import { IssueDependenciesController } from './issue-dependencies.controller';
import { IssueEventsController } from './issue-events.controller';
import { IssueLabelsController } from './issue-labels.controller';
import { IssuesController } from './issues.controller';
import { LabelsController } from './labels.controller';
import { MentionsController } from './mentions.controller';
import { MilestonesController } from './milestones.controller';
import { PinnedIssuesController } from './pinned-issues.controller';
import { ReactionsController } from './reactions.controller';
import { RepositoriesHandler } from './repositories.handler';
import { UserDeletionHandler } from './user-deletion.handler';

/** DAOs are plain classes over the DataSource (see @plue/db), so they are built by factories. */
const daoProviders = [
  IssuesDao,
  CommentsDao,
  LabelsDao,
  MentionsDao,
  MilestonesDao,
  IssueAssigneesDao,
  IssueDependenciesDao,
  IssueEventsDao,
  ReactionsDao,
  PinnedIssuesDao,
  UserReassignmentDao,
].map((Dao) => ({
  provide: Dao,
  useFactory: (db: DataSource) => new Dao(db),
  inject: [DataSource],
}));

@Module({
  controllers: [
    IssuesController,
    CommentsController,
    RepositoriesHandler,
    UserDeletionHandler,
    LabelsController,
    IssueLabelsController,
    MilestonesController,
    IssueAssigneesController,
    IssueDependenciesController,
    IssueEventsController,
    ReactionsController,
    PinnedIssuesController,
    MentionsController,
  ],
  providers: daoProviders,
})
export class CollaborationServiceModule {}
