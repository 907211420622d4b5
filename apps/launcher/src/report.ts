import type { RunningDatabase } from './database';
import type { RunningNats } from './nats';
import { maskPassword, type ServiceDatabases } from './service-roles';
import type { LaunchedService } from './services';
import type { Domain } from './settings';

/** What runs where, printed once everything is ready. Passwords never appear. */
export function upReport(
  services: ReadonlyMap<Domain, LaunchedService>,
  databases: ServiceDatabases,
  nats: RunningNats,
  database: RunningDatabase,
): string {
  const rows = [['service', 'pid', 'readiness', 'database role']];
  for (const [domain, service] of services) {
    const { role, source } = databases.byDomain[domain];
    rows.push([service.name, String(service.pid), service.healthUrl, `${role} (${source})`]);
  }
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  const table = rows.map((row) => `  ${row.map((cell, column) => cell.padEnd(widths[column])).join('  ')}`.trimEnd());
  const natsPid = nats.pid === undefined ? '' : `, pid ${nats.pid}`;
  const databasePid = database.pid === undefined ? '' : `, pid ${database.pid}`;
  return [
    '',
    'Plue is up.',
    ...table,
    `  NATS      ${nats.url} (${nats.description}${natsPid})`,
    `  database  ${maskPassword(database.url)} (${database.description}${databasePid})`,
    'Press Ctrl-C to stop.',
    '',
  ].join('\n');
}
