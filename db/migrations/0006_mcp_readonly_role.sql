-- 0006 mcp readonly role: what the database MCP server (apps/mcp-database) needs of plue_readonly
-- beyond 0002, and the one write PostgreSQL left it.
--
--   * Large objects: every role may create them by default (lo_creat, lo_create, lo_from_bytea),
--     even inside a read-only transaction. No service uses them, so creating one is withheld from
--     PUBLIC; only the owner (the migrating role) and superusers keep it. lo_import already needs
--     a superuser.
--   * pg_read_all_stats: db_stats reports other sessions' state and query text (pg_stat_activity
--     hides them from other roles otherwise). A read-only predefined role. Roles are cluster-wide
--     and granting a predefined role needs ADMIN on it (superuser, or PostgreSQL 15 CREATEROLE); a
--     migrating role without it gets a warning and db_stats says what it cannot see. The role
--     becomes INHERIT so that the membership gives it something on PostgreSQL 15.
--   * public.schema_migrations, the runner's tracking table: db_stats reports the applied version.
--     The table exists whenever the runner applies this file; `psql < db/schema.sql` has none, and
--     then nothing is granted.
-- plue_readonly still writes nothing: db/test/roles.spec.ts and the MCP server's startup check.

SET client_min_messages = warning;

REVOKE EXECUTE ON FUNCTION pg_catalog.lo_creat(integer), pg_catalog.lo_create(oid),
  pg_catalog.lo_from_bytea(oid, bytea)
  FROM PUBLIC;

-- INHERIT: a NOINHERIT role gets nothing from pg_read_all_stats on PostgreSQL 15 (16's GRANT ...
-- WITH INHERIT TRUE is not in 15). plue_readonly is granted no other role; the MCP server refuses
-- to start as a role that belongs to a writer.
ALTER ROLE plue_readonly INHERIT;

DO $$
BEGIN
  GRANT pg_read_all_stats TO plue_readonly;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE WARNING 'cannot grant pg_read_all_stats to plue_readonly (%): the MCP db_stats tool will not see other roles'' sessions', SQLERRM;
END;
$$;

DO $$
BEGIN
  IF to_regclass('public.schema_migrations') IS NOT NULL THEN
    GRANT SELECT ON public.schema_migrations TO plue_readonly;
  END IF;
END;
$$;
