import path from 'node:path';

/** The four services `npm start` runs, in start order. */
export const DOMAINS = ['auth', 'git', 'collaboration', 'agent'] as const;
export type Domain = (typeof DOMAINS)[number];

export const repoRoot = path.resolve(__dirname, '../../..');

/** What the launcher reads from its environment; every variable is checked before anything starts. */
export interface LauncherSettings {
  /** DATABASE_URL when given; otherwise the embedded server is started. */
  databaseUrl: string | undefined;
  /** Per-service database URLs given as PLUE_<DOMAIN>_DATABASE_URL. */
  serviceDatabaseUrls: Partial<Record<Domain, string>>;
  /** Root of the git-ignored data folder: `postgres/` and `nats/` live under it. */
  dataDir: string;
  embeddedPostgresPort: number;
  /** NATS_URL when given; otherwise the launcher looks on 127.0.0.1:natsPort, then starts nats-server there. */
  natsUrl: string | undefined;
  natsPort: number;
  /** Health port of each service; 0 lets each pick a free one. */
  healthPorts: Record<Domain, number>;
  logLevel: string;
  readyTimeoutMs: number;
  /** How long a service may take to stop after SIGTERM before it is killed. */
  stopTimeoutMs: number;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): LauncherSettings {
  const base = port(env, 'PLUE_HEALTH_PORT_BASE', 8081, 0);
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    serviceDatabaseUrls: Object.fromEntries(
      DOMAINS.flatMap((domain) => {
        const url = env[serviceDatabaseUrlVariable(domain)];
        return url ? [[domain, url]] : [];
      }),
    ),
    dataDir: path.resolve(repoRoot, env.PLUE_DATA_DIR || '.data'),
    embeddedPostgresPort: port(env, 'PLUE_EMBEDDED_PG_PORT', 54320),
    natsUrl: env.NATS_URL || undefined,
    natsPort: port(env, 'PLUE_NATS_PORT', 4222),
    // Base 0 gives every service a free port; otherwise consecutive ports from the base.
    healthPorts: Object.fromEntries(DOMAINS.map((domain, index) => [domain, base === 0 ? 0 : base + index])) as Record<
      Domain,
      number
    >,
    logLevel: env.LOG_LEVEL || 'info',
    readyTimeoutMs: milliseconds(env, 'PLUE_READY_TIMEOUT_MS', 60_000),
    // The services' own graceful stop gives up after SHUTDOWN_TIMEOUT_MS (25 s) plus 5 s.
    stopTimeoutMs: milliseconds(env, 'PLUE_STOP_TIMEOUT_MS', 35_000),
  };
}

export function serviceDatabaseUrlVariable(domain: Domain): string {
  return `PLUE_${domain.toUpperCase()}_DATABASE_URL`;
}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number, lowest = 1): number {
  const raw = env[name] || String(fallback);
  const value = Number(raw);
  if (!Number.isInteger(value) || value < lowest || value > 65535) {
    throw new Error(`${name} must be a port number (${lowest}-65535), got "${raw}"`);
  }
  return value;
}

function milliseconds(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name] || String(fallback);
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive number of ms, got "${raw}"`);
  return value;
}
