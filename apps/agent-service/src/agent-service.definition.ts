import { AGENT_ENTITIES } from '@plue/agent';
import { AUTH_ENTITIES } from '@plue/auth';
import { COLLABORATION_ENTITIES } from '@plue/collaboration';
import { GIT_ENTITIES } from '@plue/git';
import type { ServiceDefinition } from '@plue/service-kit';
import { AgentServiceModule } from './agent-service.module';
import { agentServiceSettingsSchema, type AgentServiceSettings } from './agent-service.settings';

export const AGENT_SERVICE: ServiceDefinition<AgentServiceSettings> = {
  domain: 'agent',
  module: AgentServiceModule,
  // Agent's entities point at users and repositories by name, so TypeORM needs every domain's.
  entities: [...AUTH_ENTITIES, ...GIT_ENTITIES, ...COLLABORATION_ENTITIES, ...AGENT_ENTITIES],
  extras: agentServiceSettingsSchema,
};
