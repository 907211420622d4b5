import { AGENT_ENTITIES } from '@plue/agent';
import { AUTH_ENTITIES } from '@plue/auth';
import { COLLABORATION_ENTITIES } from '@plue/collaboration';
import { GIT_ENTITIES } from '@plue/git';
import type { ServiceDefinition } from '@plue/service-kit';
import { z } from 'zod';
import { AgentServiceModule } from './agent-service.module';

/** agent-service has no settings beyond the shared ones (DATABASE_URL, NATS_URL, HEALTH_PORT…). */
export const AGENT_SERVICE: ServiceDefinition<Record<string, never>> = {
  domain: 'agent',
  module: AgentServiceModule,
  // Agent's entities point at users and repositories by name, so TypeORM needs every domain's.
  entities: [...AUTH_ENTITIES, ...GIT_ENTITIES, ...COLLABORATION_ENTITIES, ...AGENT_ENTITIES],
  extras: z.object({}),
};
