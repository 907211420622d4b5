import { Module } from '@nestjs/common';
import { CommentsDao, IssuesDao, LabelsDao, MentionsDao, UserReassignmentDao } from '@plue/collaboration';
import { DataSource } from 'typeorm';
import { CommentsController } from './comments.controller';
import { IssuesController } from './issues.controller';
import { RepositoriesHandler } from './repositories.handler';
import { UserDeletionHandler } from './user-deletion.handler';

/** DAOs are plain classes over the DataSource (see @plue/db), so they are built by factories. */
const daoProviders = [IssuesDao, CommentsDao, LabelsDao, MentionsDao, UserReassignmentDao].map((Dao) => ({
  provide: Dao,
  useFactory: (db: DataSource) => new Dao(db),
  inject: [DataSource],
}));

@Module({
  controllers: [IssuesController, CommentsController, RepositoriesHandler, UserDeletionHandler],
  providers: daoProviders,
})
export class CollaborationServiceModule {}
