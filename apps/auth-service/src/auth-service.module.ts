import { Module } from '@nestjs/common';
import { AccessTokensDao, AuthSessionsDao, EmailAddressesDao, SiweNoncesDao, SshKeysDao, UsersDao } from '@plue/auth';
import { DataSource } from 'typeorm';
import { AccessTokensController } from './access-tokens.controller';
import { AuthSessionsController } from './auth-sessions.controller';
import { EmailAddressesController } from './email-addresses.controller';
import { SiweController } from './siwe.controller';
import { SshKeysController } from './ssh-keys.controller';
import { UserContentHandoversHandler } from './user-content-handovers.handler';
import { UsersController } from './users.controller';

/** DAOs are plain classes over the DataSource (see @plue/db), so they are built by factories. */
const daoProviders = [UsersDao, AccessTokensDao, SiweNoncesDao, SshKeysDao, EmailAddressesDao, AuthSessionsDao].map(
  (Dao) => ({
    provide: Dao,
    useFactory: (db: DataSource) => new Dao(db),
    inject: [DataSource],
  }),
);

@Module({
  controllers: [
    UsersController,
    EmailAddressesController,
    SshKeysController,
    AuthSessionsController,
    AccessTokensController,
    SiweController,
    UserContentHandoversHandler,
  ],
  providers: daoProviders,
})
export class AuthServiceModule {}
