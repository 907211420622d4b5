import type { ClientBase } from 'pg';

/**
 * Predefined roles that would let the server write, run programs, read server files, signal other
 * backends or read the secret columns plue_readonly is denied. Membership in any of them is refused.
 * Monitoring roles (pg_read_all_stats, pg_monitor, pg_read_all_settings) are fine.
 */
const UNSAFE_PREDEFINED_ROLES = [
  'pg_write_all_data',
  'pg_read_all_data',
  'pg_write_server_files',
  'pg_read_server_files',
  'pg_execute_server_program',
  'pg_signal_backend',
  'pg_checkpoint',
  'pg_create_subscription',
  'pg_use_reserved_connections',
  'pg_maintain',
];

/** Functions that create large objects, the one write PostgreSQL grants every role by default. */
const LARGE_OBJECT_CREATORS = [
  'pg_catalog.lo_creat(integer)',
  'pg_catalog.lo_create(oid)',
  'pg_catalog.lo_from_bytea(oid, bytea)',
  'pg_catalog.lo_import(text)',
  'pg_catalog.lo_import(text, oid)',
];

const TABLE_WRITES = ['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'TRIGGER'];

/**
 * Everything the connected role could write with, directly or through a role it belongs to (a
 * NOINHERIT member can still SET ROLE): superuser and other role attributes, unsafe predefined
 * roles, ownership, CREATE/TEMPORARY on the database, CREATE on a schema, table and column write
 * privileges, sequence use, large-object creation. Empty when the role is safe to serve.
 */
export async function findWriteCapabilities(client: ClientBase): Promise<string[]> {
  // A superuser passes every privilege check (and belongs to every role): that alone is the answer.
  const superuser = await client.query<{ problem: string }>(
    "SELECT format('%s is a superuser', rolname) AS problem FROM pg_roles WHERE rolname = current_user AND rolsuper",
  );
  if (superuser.rows.length > 0) return superuser.rows.map((row) => row.problem);
  const { rows } = await client.query<{ problem: string }>(
    `WITH roles AS (
       SELECT r.oid, r.rolname, r.rolsuper, r.rolbypassrls, r.rolcreaterole, r.rolcreatedb, r.rolreplication
         FROM pg_roles r
        WHERE pg_has_role(current_user, r.oid, 'MEMBER')
     ),
     relations AS (
       SELECT c.oid, c.relkind, c.relowner
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
          AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
          -- UPDATE on this view is granted to PUBLIC: it is SET (the session's own settings), no write
          AND c.oid <> 'pg_catalog.pg_settings'::regclass
     )
     SELECT problem FROM (
       SELECT 1 AS rank, format('%s is a superuser', rolname) AS problem FROM roles WHERE rolsuper
       UNION ALL
       SELECT 2, format('%s bypasses row-level security (BYPASSRLS)', rolname) FROM roles WHERE rolbypassrls
       UNION ALL
       SELECT 2, format('%s may create roles (CREATEROLE)', rolname) FROM roles WHERE rolcreaterole
       UNION ALL
       SELECT 2, format('%s may create databases (CREATEDB)', rolname) FROM roles WHERE rolcreatedb
       UNION ALL
       SELECT 2, format('%s is a replication role (REPLICATION)', rolname) FROM roles WHERE rolreplication
       UNION ALL
       SELECT 3, format('%s is a member of %s', current_user, rolname) FROM roles WHERE rolname = ANY ($1::text[])
       UNION ALL
       SELECT 4, format('%s owns database %s', r.rolname, d.datname)
         FROM pg_database d JOIN roles r ON r.oid = d.datdba WHERE d.datname = current_database()
       UNION ALL
       SELECT 4, format('%s may %s in database %s', r.rolname, p.privilege, current_database())
         FROM roles r CROSS JOIN unnest(ARRAY['CREATE', 'TEMPORARY']) p(privilege)
        WHERE has_database_privilege(r.oid, current_database(), p.privilege)
       UNION ALL
       SELECT 5, format('%s %s schema %s', r.rolname,
                        CASE WHEN n.nspowner = r.oid THEN 'owns' ELSE 'may CREATE in' END, n.nspname)
         FROM roles r CROSS JOIN pg_namespace n
        WHERE n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
          AND (n.nspowner = r.oid OR has_schema_privilege(r.oid, n.oid, 'CREATE'))
       UNION ALL
       SELECT 6, format('%s owns %s', r.rolname, c.oid::regclass) FROM roles r JOIN relations c ON c.relowner = r.oid
       UNION ALL
       SELECT 7, format('%s may %s %s', r.rolname, string_agg(p.privilege, ', ' ORDER BY p.i), c.oid::regclass)
         FROM roles r CROSS JOIN relations c CROSS JOIN unnest($2::text[]) WITH ORDINALITY p(privilege, i)
        WHERE c.relkind <> 'S' AND has_table_privilege(r.oid, c.oid, p.privilege)
        GROUP BY r.rolname, c.oid
       UNION ALL
       SELECT 7, format('%s may INSERT or UPDATE columns of %s', r.rolname, c.oid::regclass)
         FROM roles r CROSS JOIN relations c
        WHERE c.relkind <> 'S' AND has_any_column_privilege(r.oid, c.oid, 'INSERT, UPDATE')
          AND NOT has_table_privilege(r.oid, c.oid, 'INSERT, UPDATE')
       UNION ALL
       SELECT 8, format('%s may advance sequence %s', r.rolname, c.oid::regclass)
         FROM roles r CROSS JOIN relations c
        WHERE c.relkind = 'S' AND has_sequence_privilege(r.oid, c.oid, 'USAGE, UPDATE')
       UNION ALL
       SELECT 9, format('%s may create large objects (%s)', r.rolname, f.signature)
         FROM roles r CROSS JOIN unnest($3::text[]) f(signature)
        WHERE to_regprocedure(f.signature) IS NOT NULL
          AND has_function_privilege(r.oid, to_regprocedure(f.signature), 'EXECUTE')
     ) found
     ORDER BY rank, problem`,
    [UNSAFE_PREDEFINED_ROLES, TABLE_WRITES, LARGE_OBJECT_CREATORS],
  );
  return rows.map((row) => row.problem);
}

/** One message for the refusal: who, the first few capabilities, how many in all, what to do. */
export function describeRefusal(role: string, problems: string[]): string {
  const shown = problems.slice(0, 8).map((problem) => `  - ${problem}`);
  const more = problems.length > shown.length ? [`  - … and ${problems.length - shown.length} more`] : [];
  return [
    `refusing to start: DATABASE_URL logs in as ${role}, which can write or is otherwise unsafe for a debugging tool:`,
    ...shown,
    ...more,
    'Set DATABASE_URL to the read-only role plue_readonly (created by the migrations), e.g. ' +
      'postgres://plue_readonly@localhost:5432/plue.',
  ].join('\n');
}
