import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { runCli } from '../src/cli';

export const migratorMain = path.resolve(__dirname, '../dist/main.js');
export const repositoryDbDir = path.resolve(__dirname, '../../../db');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * A temporary db folder (schema.sql + migrations/) built from `files`, keyed by path inside it;
 * removed after the spec file.
 */
export function useFixtures(): (files: Record<string, string>) => string {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  return (files) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'plue-migrator-'));
    dirs.push(dir);
    mkdirSync(path.join(dir, 'migrations'));
    writeFiles(dir, files);
    return dir;
  };
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text);
}

/** The CLI in this process: fast, and the same argument parsing and exit codes as the built one. */
export async function migrate(databaseUrl: string, args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    env: { DATABASE_URL: databaseUrl },
  });
  return { code, stdout, stderr };
}

/** The built CLI in a process of its own (`nx run migrator:build` first; the test target does). */
export function spawnMigrator(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  if (!existsSync(migratorMain)) throw new Error(`${migratorMain} is missing: run \`npx nx run migrator:build\``);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [migratorMain, ...args], { env: { PATH: process.env.PATH, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

export async function query<T extends object = Record<string, unknown>>(
  url: string,
  sql: string,
  values: unknown[] = [],
): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

export async function trackingRows(url: string): Promise<Record<string, unknown>[]> {
  return query(url, 'SELECT * FROM public.schema_migrations ORDER BY version');
}

/** Relations of the database's own schemas besides the tracking table: what a rolled-back file must not leave. */
export async function userRelations(url: string): Promise<string[]> {
  const rows = await query<{ name: string }>(
    url,
    `SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'
       AND c.relname NOT LIKE 'schema\\_migrations%' ORDER BY 1`,
  );
  return rows.map((row) => row.name);
}
