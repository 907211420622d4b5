import type { ClientConfig } from 'pg';
import type { DataSource, DataSourceOptions } from 'typeorm';

type PostgresConnectionOptions = Extract<DataSourceOptions, { type: 'postgres' }>;

/**
 * Settings for a connection of its own beside a DataSource's pool, with the same server and role:
 * a session-level advisory lock and LISTEN need one session for as long as they last.
 */
export function dedicatedClientConfig(dataSource: DataSource, purpose: string): ClientConfig {
  const options = dataSource.options as PostgresConnectionOptions;
  if (options.type !== 'postgres') throw new Error('@plue/messaging needs a PostgreSQL DataSource');
  const config: ClientConfig = {
    application_name: `${options.applicationName ?? 'plue'} (${purpose})`,
    // A peer that vanished without closing the socket must not keep a dead relay "leader" forever.
    keepAlive: true,
  };
  if (options.url) config.connectionString = options.url;
  if (options.host) config.host = options.host;
  if (options.port) config.port = options.port;
  if (options.username) config.user = options.username;
  if (typeof options.password === 'string') config.password = options.password;
  if (options.database) config.database = options.database;
  // TypeORM types its ssl option as server-side TLS options; pg takes the same object for clients.
  if (options.ssl !== undefined) config.ssl = options.ssl as ClientConfig['ssl'];
  return config;
}
