import { escapeIdentifier, Client } from 'pg';
import { randomBytes } from 'node:crypto';

/** A database of one's own for a test file: a clone of the migrated template, or an empty one. */
export class TestDatabase {
  private readonly clients = new Set<Client>();

  constructor(
    readonly name: string,
    private readonly serverUrl: string,
  ) {}

  /** URL of this database for the server's superuser. */
  get url(): string {
    return withDatabase(this.serverUrl, this.name);
  }

  /** URL of this database for another role (the service roles log in without a password here). */
  urlFor(role: string): string {
    const url = new URL(this.url);
    url.username = role;
    url.password = '';
    return url.toString();
  }

  /** A connected client, closed by drop(). */
  async connect(role?: string): Promise<Client> {
    const client = new Client({ connectionString: role ? this.urlFor(role) : this.url });
    await client.connect();
    this.clients.add(client);
    client.on('end', () => this.clients.delete(client));
    return client;
  }

  async drop(): Promise<void> {
    await Promise.all([...this.clients].map((client) => client.end().catch(() => undefined)));
    await withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${escapeIdentifier(this.name)} WITH (FORCE)`));
  }
}

export interface TestDatabaseOptions {
  /** A fresh database with no schema instead of a clone of the migrated template. */
  empty?: boolean;
}

export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const name = `${harnessEnv('PLUE_TEST_DATABASE_PREFIX')}${randomBytes(5).toString('hex')}`;
  const template = options.empty ? 'template0' : harnessEnv('PLUE_TEST_TEMPLATE');
  await withAdmin(async (admin) => {
    await admin.query(`CREATE DATABASE ${escapeIdentifier(name)} TEMPLATE ${escapeIdentifier(template)}`);
    if (!options.empty) await copyDatabasePrivileges(admin, template, name);
  });
  return new TestDatabase(name, adminUrl());
}

/**
 * CREATE DATABASE … TEMPLATE copies everything inside a database but not the database's own ACL,
 * which the migrations set (who may connect, that PUBLIC may not create temporary tables).
 */
async function copyDatabasePrivileges(admin: Client, from: string, to: string): Promise<void> {
  const { rows } = await admin.query<{ grantee: string | null; privilege: string }>(
    `SELECT r.rolname AS grantee, a.privilege_type AS privilege
       FROM pg_database d
      CROSS JOIN aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a
       LEFT JOIN pg_roles r ON r.oid = a.grantee
      WHERE d.datname = $1`,
    [from],
  );
  const target = escapeIdentifier(to);
  await admin.query(`REVOKE ALL ON DATABASE ${target} FROM PUBLIC`);
  for (const { grantee, privilege } of rows) {
    if (!['CONNECT', 'TEMPORARY', 'CREATE'].includes(privilege)) continue;
    await admin.query(`GRANT ${privilege} ON DATABASE ${target} TO ${grantee ? escapeIdentifier(grantee) : 'PUBLIC'}`);
  }
}

/**
 * Registers beforeAll/afterAll hooks that give the calling test file its own database, and returns
 * an accessor for it.
 */
export function useTestDatabase(options: TestDatabaseOptions = {}): () => TestDatabase {
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await createTestDatabase(options);
  });
  afterAll(async () => {
    await database?.drop();
  });
  return () => {
    if (!database) throw new Error('the test database exists only inside tests and hooks');
    return database;
  };
}

/** Superuser URL of the test server's maintenance database. */
export function adminUrl(): string {
  return harnessEnv('PLUE_TEST_ADMIN_URL');
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

async function withAdmin<T>(work: (admin: Client) => Promise<T>): Promise<T> {
  const admin = new Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

function harnessEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run tests through jest with the shared preset (jest.preset.js)`);
  return value;
}
