import { Module } from '@nestjs/common';
import { AccessTokensDao, SiweNoncesDao, UsersDao } from '@plue/auth';
import { DataSource } from 'typeorm';
import { AccessTokensController } from './access-tokens.controller';
import { SiweController } from './siwe.controller';
import { UserContentHandoversHandler } from './user-content-handovers.handler';
import { UsersController } from './users.controller';

/** DAOs are plain classes over the DataSource (see @plue/db), so they are built by factories. */
const daoProviders = [UsersDao, AccessTokensDao, SiweNoncesDao].map((Dao) => ({
  provide: Dao,
  useFactory: (db: DataSource) => new Dao(db),
  inject: [DataSource],
}));

@Module({
  controllers: [UsersController, AccessTokensController, SiweController, UserContentHandoversHandler],
  providers: daoProviders,
})
export class AuthServiceModule {}
