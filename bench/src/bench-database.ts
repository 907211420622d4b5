import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { Client } from 'pg';
import type { DatasetParameters } from './dataset-parameters';
import { formatSeconds, type Log } from './log';
import { seedDataset } from './seed-dataset';

export const BENCH_DATABASE_NAME = 'plue_bench';
const DEFAULT_SERVER_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const repositoryRoot = path.resolve(__dirname, '../..');
const migratorMain = path.join(repositoryRoot, 'apps/migrator/dist/main.js');

/** Tables whose row counts describe the dataset in the report. */
const COUNTED_TABLES = [
  'users',
  'repositories',
  'labels',
  'milestones',
  'issues',
  'issue_labels',
  'issue_assignees',
  'comments',
  'mentions',
  'workflow_definitions',
  'workflow_runs',
];

/** Where the benchmark database lives, and how each role reaches it. */
export class BenchDatabase {
  constructor(private readonly serverUrl: string) {}

  /** The server's maintenance database, for CREATE/DROP DATABASE. */
  get adminUrl(): string {
    return this.serverUrl;
  }

  /**
   * The benchmark database as `role` (default: the administrator of DATABASE_URL). Service roles
   * log in without a password, as PostgreSQL's trust or peer setups of development machines allow.
   */
  urlFor(role?: string): string {
    const url = new URL(this.serverUrl);
    url.pathname = `/${BENCH_DATABASE_NAME}`;
    if (role) {
      url.username = role;
      url.password = '';
    }
    return url.toString();
  }
}

export function benchDatabaseFromEnvironment(env: NodeJS.ProcessEnv = process.env): BenchDatabase {
  const serverUrl = env.DATABASE_URL ?? DEFAULT_SERVER_URL;
  if (!/^postgres(ql)?:\/\//.test(serverUrl) || !URL.canParse(serverUrl)) {
    throw new Error(`DATABASE_URL must be a postgres:// URL, got "${serverUrl}"`);
  }
  return new BenchDatabase(serverUrl);
}

export interface SeededDataset {
  parameters: DatasetParameters;
  rowCounts: Record<string, number>;
  seededAt: Date;
  seedSeconds: number;
  reused: boolean;
}

/**
 * Makes `plue_bench` hold the dataset `parameters` describe: reuses it when its marker
 * (bench.dataset) records the same parameters, so that re-runs skip the minutes of seeding;
 * otherwise (or with `reseed`) drops it, creates it, migrates it with the real migrator and seeds
 * it. The marker is written last, so an interrupted seeding is never mistaken for a finished one.
 */
export async function prepareBenchDatabase(
  database: BenchDatabase,
  parameters: DatasetParameters,
  options: { reseed: boolean; log: Log },
): Promise<SeededDataset> {
  const { log } = options;
  if (!options.reseed && (await benchDatabaseExists(database))) {
    await migrate(database, log);
    const marker = await readMarker(database);
    if (marker && isDeepStrictEqual(marker.parameters, parameters)) {
      log(`reusing ${BENCH_DATABASE_NAME}: seeded ${marker.seededAt.toISOString()} with the same parameters`);
      return { ...marker, reused: true };
    }
    log(
      marker
        ? `${BENCH_DATABASE_NAME} holds another dataset (${JSON.stringify(marker.parameters)}): seeding again`
        : `${BENCH_DATABASE_NAME} has no finished dataset: seeding again`,
    );
  }
  await recreateBenchDatabase(database, log);
  await migrate(database, log);
  const started = performance.now();
  await withClient(database.urlFor(), async (client) => {
    await seedDataset(client, parameters, log);
    await writeMarker(client, parameters, (performance.now() - started) / 1000);
  });
  const marker = await readMarker(database);
  if (!marker) throw new Error('the dataset marker was not written');
  return { ...marker, reused: false };
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, application_name: 'plue-bench setup' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function benchDatabaseExists(database: BenchDatabase): Promise<boolean> {
  return withClient(database.adminUrl, async (client) => {
    const result = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [BENCH_DATABASE_NAME]);
    return result.rowCount === 1;
  });
}

async function recreateBenchDatabase(database: BenchDatabase, log: Log): Promise<void> {
  log(`creating ${BENCH_DATABASE_NAME}…`);
  await withClient(database.adminUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${BENCH_DATABASE_NAME} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${BENCH_DATABASE_NAME} TEMPLATE template0`);
  });
}

/** Runs `migrate up` with the built migrator, the one way Plue databases get their schema. */
async function migrate(database: BenchDatabase, log: Log): Promise<void> {
  if (!existsSync(migratorMain)) {
    throw new Error(`${migratorMain} is missing: build it with \`npx nx run migrator:build\``);
  }
  const started = performance.now();
  const exitCode = await new Promise<number>((resolve, reject) => {
    // The migrator's stdout goes to our stderr: our stdout carries only the results.
    const child = spawn(process.execPath, [migratorMain, 'up'], {
      env: { ...process.env, DATABASE_URL: database.urlFor() },
      stdio: ['ignore', 2, 2],
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 1));
  });
  if (exitCode !== 0) throw new Error(`the migrator exited with code ${exitCode}`);
  log(`migrated ${BENCH_DATABASE_NAME} in ${formatSeconds(performance.now() - started)}`);
}

async function readMarker(database: BenchDatabase): Promise<Omit<SeededDataset, 'reused'> | null> {
  return withClient(database.urlFor(), async (client) => {
    const exists = await client.query(`SELECT to_regclass('bench.dataset') IS NOT NULL AS exists`);
    if (!exists.rows[0].exists) return null;
    const result = await client.query(
      'SELECT parameters, row_counts, seeded_at, seed_seconds::float8 AS seed_seconds FROM bench.dataset',
    );
    const row = result.rows[0];
    if (!row) return null;
    return {
      parameters: row.parameters as DatasetParameters,
      rowCounts: row.row_counts as Record<string, number>,
      seededAt: row.seeded_at as Date,
      seedSeconds: row.seed_seconds as number,
    };
  });
}

/** The marker lives in its own schema, away from the application's tables. */
async function writeMarker(client: Client, parameters: DatasetParameters, seedSeconds: number): Promise<void> {
  const rowCounts: Record<string, number> = {};
  for (const table of COUNTED_TABLES) {
    // Table names come from the constant list above, never from input.
    const result = await client.query(`SELECT count(*)::float8 AS rows FROM public.${table}`);
    rowCounts[table] = result.rows[0].rows as number;
  }
  await client.query('CREATE SCHEMA IF NOT EXISTS bench');
  await client.query(
    `CREATE TABLE IF NOT EXISTS bench.dataset (
       parameters   jsonb NOT NULL,
       row_counts   jsonb NOT NULL,
       seeded_at    timestamptz NOT NULL DEFAULT now(),
       seed_seconds numeric NOT NULL
     )`,
  );
  await client.query('DELETE FROM bench.dataset');
  await client.query('INSERT INTO bench.dataset (parameters, row_counts, seed_seconds) VALUES ($1, $2, $3)', [
    JSON.stringify(parameters),
    JSON.stringify(rowCounts),
    seedSeconds.toFixed(1),
  ]);
}
