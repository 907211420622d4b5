import { AGENT_ENTITIES } from '@plue/agent';
import { AUTH_ENTITIES } from '@plue/auth';
import { COLLABORATION_ENTITIES } from '@plue/collaboration';
import { createDataSource, entityDrift } from '@plue/db';
import { GIT_ENTITIES } from '@plue/git';
import type { VerifyCheck } from './verify';

/** Every domain's entities: what the services map, and what must agree with the SQL in db/. */
export const ALL_ENTITIES = [...AUTH_ENTITIES, ...GIT_ENTITIES, ...COLLABORATION_ENTITIES, ...AGENT_ENTITIES];

export const entitiesMatchDatabaseCheck: VerifyCheck = {
  title: 'the TypeORM entities agree with the database at DATABASE_URL',
  async run({ databaseUrl }) {
    const dataSource = createDataSource(
      { url: databaseUrl.toString(), poolSize: 1, statementTimeoutMs: 0, applicationName: 'plue-migrator verify' },
      ALL_ENTITIES,
    );
    await dataSource.initialize();
    try {
      return await entityDrift(dataSource);
    } finally {
      await dataSource.destroy();
    }
  },
};
