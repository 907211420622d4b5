import os from 'node:os';
import type { Client } from 'pg';

/** What the figures were measured on: they mean little without it. */
export interface Environment {
  date: string;
  cpus: string;
  memory: string;
  os: string;
  node: string;
  postgres: string;
  /** PostgreSQL settings that move read-path figures. */
  postgresSettings: Record<string, string>;
}

const REPORTED_SETTINGS = [
  'shared_buffers',
  'effective_cache_size',
  'work_mem',
  'random_page_cost',
  'max_parallel_workers_per_gather',
  'jit',
];

export async function describeEnvironment(client: Client): Promise<Environment> {
  const version = await client.query<{ version: string }>('SELECT version()');
  const settings = await client.query<{ name: string; setting: string }>(
    `SELECT name, current_setting(name) AS setting FROM pg_settings WHERE name = ANY($1::text[]) ORDER BY name`,
    [REPORTED_SETTINGS],
  );
  const cpuModels = [...new Set(os.cpus().map((cpu) => cpu.model.trim()))].join(', ');
  return {
    date: new Date().toISOString(),
    cpus: `${os.availableParallelism()} × ${cpuModels}`,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    postgres: version.rows[0].version,
    postgresSettings: Object.fromEntries(settings.rows.map((row) => [row.name, row.setting])),
  };
}
