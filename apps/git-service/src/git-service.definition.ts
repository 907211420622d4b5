import { AGENT_ENTITIES } from '@plue/agent';
import { AUTH_ENTITIES } from '@plue/auth';
import { COLLABORATION_ENTITIES } from '@plue/collaboration';
import { GIT_ENTITIES } from '@plue/git';
import type { ServiceDefinition } from '@plue/service-kit';
import { z } from 'zod';
import { GitServiceModule } from './git-service.module';

/** git-service has no settings beyond the shared ones (DATABASE_URL, NATS_URL, HEALTH_PORT…). */
export const GIT_SERVICE: ServiceDefinition<Record<string, never>> = {
  domain: 'git',
  module: GitServiceModule,
  // Git's entities point at users and workflow runs by name, so TypeORM needs every domain's.
  entities: [...AUTH_ENTITIES, ...GIT_ENTITIES, ...COLLABORATION_ENTITIES, ...AGENT_ENTITIES],
  extras: z.object({}),
};
