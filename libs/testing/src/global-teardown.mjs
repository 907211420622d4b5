// Jest global teardown: drop every database this run created (its names share one prefix) and stop
// the embedded server if one was started.
import pg from 'pg';

export default async function globalTeardown() {
  const prefix = process.env.PLUE_TEST_DATABASE_PREFIX;
  const server = globalThis.__plueTestServer;
  if (!prefix || !server) return;

  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query("SELECT datname FROM pg_database WHERE datname LIKE $1 ESCAPE '!'", [
      `${prefix.replaceAll('_', '!_')}%`,
    ]);
    for (const { datname } of rows) {
      await admin.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(datname)} WITH (FORCE)`);
    }
  } finally {
    await admin.end();
  }
  await server.stop();
}
