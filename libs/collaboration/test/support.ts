import type { DataSource } from 'typeorm';
import { createDataSource } from '@plue/db';
import { AGENT_ENTITIES } from '@plue/agent';
import { AUTH_ENTITIES } from '@plue/auth';
import { GIT_ENTITIES } from '@plue/git';
import { COLLABORATION_ENTITIES } from '../src';

/** Every DataSource is built with all domains' entities so that string relation targets resolve. */
export const ALL_ENTITIES = [...AUTH_ENTITIES, ...GIT_ENTITIES, ...COLLABORATION_ENTITIES, ...AGENT_ENTITIES];

export async function openDataSource(url: string, poolSize = 4): Promise<DataSource> {
  const dataSource = createDataSource(
    { url, poolSize, statementTimeoutMs: 20_000, applicationName: 'collaboration-test' },
    ALL_ENTITIES,
  );
  return dataSource.initialize();
}
