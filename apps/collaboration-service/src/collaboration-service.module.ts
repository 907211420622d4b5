import { Module } from '@nestjs/common';
import { CommentsDao, IssuesDao, LabelsDao, MentionsDao, PullRequestsDao, ReviewsDao } from '@plue/collaboration';
import { DataSource } from 'typeorm';
import { BranchesHandler } from './branches.handler';
import { CommentsController } from './comments.controller';
import { IssuesController } from './issues.controller';
import { MergeCheck } from './merge-check';
import { PullRequestsController } from './pull-requests.controller';
import { RepositoriesHandler } from './repositories.handler';
import { ReviewsController } from './reviews.controller';

/** DAOs are plain classes over the DataSource (see @plue/db), so they are built by factories. */
const daoProviders = [IssuesDao, CommentsDao, LabelsDao, MentionsDao, PullRequestsDao, ReviewsDao].map((Dao) => ({
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
  ],
  providers: [...daoProviders, MergeCheck],
})
export class CollaborationServiceModule {}
