import { AGENT_ENTITIES } from '@plue/agent';
import { AUTH_ENTITIES } from '@plue/auth';
import { COLLABORATION_ENTITIES } from '@plue/collaboration';
import { GIT_ENTITIES } from '@plue/git';
import type { ServiceDefinition } from '@plue/service-kit';
import { z } from 'zod';
import { AuthServiceModule } from './auth-service.module';

/** auth-service has no settings beyond the shared ones (DATABASE_URL, NATS_URL, HEALTH_PORT…). */
export const AUTH_SERVICE: ServiceDefinition<Record<string, never>> = {
  domain: 'auth',
  module: AuthServiceModule,
  // One DataSource shape for every service: TypeORM resolves string targets across all domains.
  entities: [...AUTH_ENTITIES, ...GIT_ENTITIES, ...COLLABORATION_ENTITIES, ...AGENT_ENTITIES],
  extras: z.object({}),
};
