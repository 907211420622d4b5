import type { Client } from 'pg';
import { useTestDatabase } from '@plue/testing';
import {
  AUTH_PRIVATE_TABLES,
  MESSAGING_SCHEMAS,
  MESSAGING_TABLES,
  SECRET_COLUMNS,
  SERVICE_ROLES,
  TABLE_OWNERS,
} from './table-ownership';

const database = useTestDatabase();
let superuser: Client;
let publicTables: string[];

beforeAll(async () => {
  superuser = await database().connect();
  const { rows } = await superuser.query<{ name: string }>(
    "SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> 'schema_migrations' ORDER BY 1",
  );
  publicTables = rows.map((row) => row.name);
});

async function privilege(role: string, table: string, privilegeName: string): Promise<boolean> {
  const { rows } = await superuser.query<{ allowed: boolean }>('SELECT has_table_privilege($1, $2, $3) AS allowed', [
    role,
    table,
    privilegeName,
  ]);
  return rows[0].allowed;
}

describe('database roles and grants', () => {
  it('assigns every table of the schema to exactly one owning service', () => {
    const owned = Object.values(TABLE_OWNERS).flat();
    expect([...owned].sort()).toEqual(publicTables);
    expect(new Set(owned).size).toBe(owned.length);
  });

  it('lets each service role write only its own tables', async () => {
    for (const role of SERVICE_ROLES) {
      for (const table of publicTables) {
        const owns = TABLE_OWNERS[role].includes(table);
        for (const write of ['INSERT', 'UPDATE', 'DELETE']) {
          expect({ role, table, write, allowed: await privilege(role, `public.${table}`, write) }).toEqual({
            role,
            table,
            write,
            allowed: owns,
          });
        }
        for (const never of ['TRUNCATE', 'REFERENCES', 'TRIGGER']) {
          expect({ role, table, never, allowed: await privilege(role, `public.${table}`, never) }).toEqual({
            role,
            table,
            never,
            allowed: false,
          });
        }
      }
    }
  });

  it("lets services read other domains' tables, except the auth tables that hold secrets", async () => {
    for (const role of SERVICE_ROLES) {
      for (const table of publicTables) {
        const readable = TABLE_OWNERS[role].includes(table) || !AUTH_PRIVATE_TABLES.includes(table);
        expect({ role, table, readable: await privilege(role, `public.${table}`, 'SELECT') }).toEqual({
          role,
          table,
          readable,
        });
      }
    }
  });

  it("gives each service its own messaging tables and no other service's", async () => {
    for (const role of SERVICE_ROLES) {
      for (const [owner, schema] of Object.entries(MESSAGING_SCHEMAS)) {
        for (const table of MESSAGING_TABLES) {
          expect({
            role,
            table: `${schema}.${table}`,
            allowed: await privilege(role, `${schema}.${table}`, 'INSERT'),
          }).toEqual({
            role,
            table: `${schema}.${table}`,
            allowed: role === owner,
          });
        }
      }
    }
  });

  it('refuses a collaboration-service write to users with a permission error', async () => {
    const collaboration = await database().connect('plue_collaboration');
    await expect(collaboration.query("UPDATE users SET bio = 'x'")).rejects.toMatchObject({ code: '42501' });
  });

  it('refuses every write, temporary tables and secret columns to plue_readonly', async () => {
    const readonly = await database().connect('plue_readonly');
    for (const table of publicTables) {
      for (const write of ['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) {
        expect({ table, write, allowed: await privilege('plue_readonly', `public.${table}`, write) }).toEqual({
          table,
          write,
          allowed: false,
        });
      }
    }
    await expect(readonly.query("UPDATE users SET bio = 'x'")).rejects.toMatchObject({ code: '42501' });
    await expect(
      readonly.query("INSERT INTO labels (repo_id, name, color) VALUES (1, 'x', '#000000')"),
    ).rejects.toMatchObject({
      code: '42501',
    });
    await expect(readonly.query('CREATE TEMP TABLE scratch (x int)')).rejects.toMatchObject({ code: '42501' });
    await expect(readonly.query('CREATE TABLE public.scratch (x int)')).rejects.toMatchObject({ code: '42501' });
    for (const [table, column] of Object.entries(SECRET_COLUMNS)) {
      await expect(readonly.query(`SELECT ${column} FROM ${table}`)).rejects.toMatchObject({ code: '42501' });
    }
    await expect(readonly.query('SELECT id, user_id, expires_at FROM access_tokens')).resolves.toBeDefined();
  });

  it('gives plue_readonly what the MCP server needs, and takes large objects from everyone (0006)', async () => {
    const readonly = await database().connect('plue_readonly');
    const { rows } = await superuser.query<Record<string, boolean>>(
      `SELECT pg_has_role('plue_readonly', 'pg_read_all_stats', 'USAGE') AS stats,
              has_table_privilege('plue_readonly', 'public.schema_migrations', 'SELECT') AS reads_migrations,
              has_table_privilege('plue_readonly', 'public.schema_migrations', 'INSERT, UPDATE, DELETE') AS writes_migrations`,
    );
    expect(rows[0]).toEqual({ stats: true, reads_migrations: true, writes_migrations: false });
    for (const role of ['plue_readonly', ...SERVICE_ROLES]) {
      for (const fn of ['lo_creat(integer)', 'lo_create(oid)', 'lo_from_bytea(oid, bytea)', 'lo_import(text)']) {
        const { rows: granted } = await superuser.query<{ allowed: boolean }>(
          'SELECT has_function_privilege($1, $2, $3) AS allowed',
          [role, `pg_catalog.${fn}`, 'EXECUTE'],
        );
        expect({ role, fn, allowed: granted[0].allowed }).toEqual({ role, fn, allowed: false });
      }
    }
    await expect(readonly.query("SELECT lo_from_bytea(0, 'x')")).rejects.toMatchObject({ code: '42501' });
  });
});
