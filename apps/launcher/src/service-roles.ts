import { randomBytes } from 'node:crypto';
import { Client, escapeIdentifier, escapeLiteral } from 'pg';
import { serviceDatabaseUrlVariable, type Domain } from './settings';

/** How one service reaches the database: as its own role (migration 0002 creates them, without passwords). */
export interface ServiceDatabase {
  role: string;
  url: string;
  /** Where the URL came from, for the launcher's report. */
  source: 'given' | 'passwordless' | 'launch password';
}

export interface ServiceDatabases {
  byDomain: Record<Domain, ServiceDatabase>;
  /** Takes back the passwords this launch set (ALTER ROLE … PASSWORD NULL). */
  release(): Promise<void>;
}

export function roleOf(domain: Domain): string {
  return `plue_${domain}`;
}

/**
 * Each service's database URL: PLUE_<DOMAIN>_DATABASE_URL when given; otherwise the launcher's URL
 * with the role's name and no password, when the server lets the role in that way (trust
 * authentication, as the embedded server and a developer's local server have). Otherwise, when the
 * launcher is a superuser and the role has no password, the role gets a random password for this
 * launch only, reset to none when the launcher stops. A role whose password the launcher does not
 * know is never changed: that needs PLUE_<DOMAIN>_DATABASE_URL.
 */
export async function resolveServiceDatabases(
  launcherUrl: string,
  domains: readonly Domain[],
  given: Partial<Record<Domain, string>>,
): Promise<ServiceDatabases> {
  const byDomain = {} as Record<Domain, ServiceDatabase>;
  const passwordsSet: string[] = [];
  const release = async () => {
    if (passwordsSet.length === 0) return;
    await withClient(launcherUrl, async (client) => {
      for (const role of passwordsSet.splice(0))
        await client.query(`ALTER ROLE ${escapeIdentifier(role)} PASSWORD NULL`);
    });
  };
  try {
    for (const domain of domains) {
      const role = roleOf(domain);
      const url = given[domain];
      if (url) {
        byDomain[domain] = { role, url, source: 'given' };
        continue;
      }
      const passwordless = withCredentials(launcherUrl, role, '');
      const refused = await connectionError(passwordless);
      if (!refused) {
        byDomain[domain] = { role, url: passwordless, source: 'passwordless' };
        continue;
      }
      const password = randomBytes(24).toString('hex');
      await setLaunchPassword(launcherUrl, domain, password, refused);
      passwordsSet.push(role);
      byDomain[domain] = { role, url: withCredentials(launcherUrl, role, password), source: 'launch password' };
    }
  } catch (error) {
    await release();
    throw error;
  }
  return { byDomain, release };
}

async function setLaunchPassword(launcherUrl: string, domain: Domain, password: string, refused: string) {
  const role = roleOf(domain);
  await withClient(launcherUrl, async (client) => {
    const { rows } = await client.query<{ superuser: boolean }>(
      'SELECT rolsuper AS superuser FROM pg_roles WHERE rolname = current_user',
    );
    const cannot = (why: string) =>
      new Error(
        `${domain}-service cannot connect as ${role} (${refused}) and ${why}: ` +
          `set ${serviceDatabaseUrlVariable(domain)} to its URL`,
      );
    if (!rows[0]?.superuser) throw cannot('the launcher is not a superuser, so it cannot give the role a password');
    // pg_authid (superusers only) tells whether the role has a password someone else relies on.
    const existing = await client.query<{ unset: boolean }>(
      'SELECT rolpassword IS NULL AS unset FROM pg_authid WHERE rolname = $1',
      [role],
    );
    if (existing.rowCount === 0) throw cannot('the role does not exist (did the migrations run?)');
    if (!existing.rows[0].unset) {
      throw cannot(
        'the role already has a password the launcher does not know (if an earlier launch was killed ' +
          `before it could reset it: ALTER ROLE ${role} PASSWORD NULL)`,
      );
    }
    // A role cannot be a query parameter: both values are escaped, and the password is ours (hex).
    await client.query(`ALTER ROLE ${escapeIdentifier(role)} PASSWORD ${escapeLiteral(password)}`);
  });
}

/** Why a connection with `url` fails, or undefined when it succeeds. */
async function connectionError(url: string): Promise<string | undefined> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function withCredentials(url: string, user: string, password: string): string {
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(user);
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}

/** The URL with its password replaced by `***`: the launcher never prints a password. */
export function maskPassword(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
