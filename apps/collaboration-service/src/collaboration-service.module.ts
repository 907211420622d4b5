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
  PullRequestsDao,
  ReactionsDao,
  ReviewsDao,
  UserReassignmentDao,
} from '@plue/collaboration';
import { DataSource } from 'typeorm';
import { BranchesHandler } from './branches.handler';
import { CommentsController } from './comments.controller';
import { IssueAssigneesController } from './issue-assignees.controller';
import { IssueDependenciesController } from './issue-dependencies.controller';
import { IssueEventsController } from './issue-events.controller';
import { IssueLabelsController } from './issue-labels.controller';
import { IssuesController } from './issues.controller';
import { LabelsController } from './labels.controller';
import { MergeCheck } from './merge-check';
import { MentionsController } from './mentions.controller';
import { MilestonesController } from './milestones.controller';
import { PinnedIssuesController } from './pinned-issues.controller';
import { ReactionsController } from './reactions.controller';
import { PullRequestsController } from './pull-requests.controller';
import { RepositoriesHandler } from './repositories.handler';
import { ReviewsController } from './reviews.controller';
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
  PullRequestsDao,
  ReviewsDao,
].map((Dao) => ({
  provide: Dao,
  useFactory: (db: DataSource) => new Dao(db),
  inject: [DataSource],
}));

@Module({
  controllers: [
    IssuesController,
    CommentsController,
    PullRequestsController,
    ReviewsController,
    RepositoriesHandler,
    BranchesHandler,
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
  providers: [...daoProviders, MergeCheck],
})
export class CollaborationServiceModule {}
