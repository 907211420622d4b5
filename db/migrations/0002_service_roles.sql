-- 0002 service roles: the per-service login roles, plue_readonly and all grants (the last section of db/schema.sql).

SET client_min_messages = warning;

-- =============================================================================================
-- Roles and grants
--
-- One login role per service, which writes only its own tables (DESIGN.md sections 3, 5, 6),
-- and plue_readonly for the database MCP server. Roles belong to the whole cluster, so they are
-- created only if missing, tolerating another database of the same cluster creating them at the
-- same moment. No passwords here: production sets them from configuration.
-- Nobody but the owner (the migrating role) gets TRUNCATE, REFERENCES, TRIGGER or CREATE.
-- Identity columns need no sequence privileges (the identity sequence is used on the table
-- owner's behalf), so no sequence is granted.
-- =============================================================================================

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'plue_auth') THEN
    CREATE ROLE plue_auth LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL; -- created concurrently by another migration of this cluster
END;
$$;

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'plue_git') THEN
    CREATE ROLE plue_git LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL; -- created concurrently by another migration of this cluster
END;
$$;

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'plue_collaboration') THEN
    CREATE ROLE plue_collaboration LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL; -- created concurrently by another migration of this cluster
END;
$$;

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'plue_agent') THEN
    CREATE ROLE plue_agent LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL; -- created concurrently by another migration of this cluster
END;
$$;

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'plue_readonly') THEN
    CREATE ROLE plue_readonly LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL; -- created concurrently by another migration of this cluster
END;
$$;

-- Database level: every role may connect; nobody but the owner and superusers may create
-- temporary tables (PUBLIC has TEMPORARY by default). Note: CREATE DATABASE ... TEMPLATE does
-- not copy these database-level privileges; a clone must run this statement again.
DO $$
BEGIN
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO plue_auth, plue_git, plue_collaboration, plue_agent, plue_readonly',
                 current_database());
  EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
END;
$$;

-- Schema public: usage only (no CREATE; PostgreSQL 15+ already withholds it from PUBLIC).
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO plue_auth, plue_git, plue_collaboration, plue_agent, plue_readonly;

-- Trigger functions that run as their owner (SECURITY DEFINER): nobody calls them directly.
REVOKE EXECUTE ON FUNCTION allocate_issue_number(), count_issue_comments(),
  delete_issue_or_comment_dependents(), compact_pinned_issues(), check_pinned_issues_contiguous()
  FROM PUBLIC;

-- auth-service tables ---------------------------------------------------------------------------
GRANT SELECT, INSERT, UPDATE, DELETE
  ON users, email_addresses, auth_sessions, access_tokens, siwe_nonces, ssh_keys, rate_limits
  TO plue_auth;
-- Tables holding secrets or personal data (auth_sessions, access_tokens, siwe_nonces,
-- rate_limits, email_addresses) are readable by plue_auth alone.
GRANT SELECT ON users, ssh_keys TO plue_git, plue_collaboration, plue_agent, plue_readonly;
GRANT SELECT ON email_addresses, rate_limits TO plue_readonly;
-- plue_readonly sees every column except the hashes.
GRANT SELECT (id, user_id, expires_at, user_agent, ip, created_at, last_seen_at)
  ON auth_sessions TO plue_readonly;
GRANT SELECT (id, user_id, name, token_last_eight, scopes, expires_at, last_used_at, created_at)
  ON access_tokens TO plue_readonly;
GRANT SELECT (id, wallet_address, expires_at, used_at, created_at)
  ON siwe_nonces TO plue_readonly;

-- git-service tables ----------------------------------------------------------------------------
GRANT SELECT, INSERT, UPDATE, DELETE
  ON repositories, collaborators, branches, protected_branches, renamed_branches, commit_statuses,
     stars, watches
  TO plue_git;
GRANT SELECT
  ON repositories, collaborators, branches, protected_branches, renamed_branches, commit_statuses,
     stars, watches
  TO plue_auth, plue_collaboration, plue_agent, plue_readonly;

-- collaboration-service tables ------------------------------------------------------------------
GRANT SELECT, INSERT, UPDATE, DELETE
  ON issues, pull_requests, comments, labels, issue_labels, issue_assignees, milestones, reactions,
     reviews, review_comments, issue_events, mentions, issue_dependencies, pinned_issues
  TO plue_collaboration;
GRANT SELECT
  ON issues, pull_requests, comments, labels, issue_labels, issue_assignees, milestones, reactions,
     reviews, review_comments, issue_events, mentions, issue_dependencies, pinned_issues
  TO plue_auth, plue_git, plue_agent, plue_readonly;

-- agent-service tables --------------------------------------------------------------------------
GRANT SELECT, INSERT, UPDATE, DELETE
  ON sessions, messages, parts, workflow_definitions, workflow_runs, workflow_steps, workflow_logs,
     runner_pool, llm_usage
  TO plue_agent;
GRANT SELECT
  ON sessions, messages, parts, workflow_definitions, workflow_runs, workflow_steps, workflow_logs,
     runner_pool, llm_usage
  TO plue_auth, plue_git, plue_collaboration, plue_readonly;

-- Messaging schemas: each service reads and writes its own; plue_readonly reads all.
GRANT USAGE ON SCHEMA auth TO plue_auth, plue_readonly;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA auth TO plue_auth;
GRANT SELECT ON ALL TABLES IN SCHEMA auth TO plue_readonly;

GRANT USAGE ON SCHEMA git TO plue_git, plue_readonly;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA git TO plue_git;
GRANT SELECT ON ALL TABLES IN SCHEMA git TO plue_readonly;

GRANT USAGE ON SCHEMA collaboration TO plue_collaboration, plue_readonly;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA collaboration TO plue_collaboration;
GRANT SELECT ON ALL TABLES IN SCHEMA collaboration TO plue_readonly;

GRANT USAGE ON SCHEMA agent TO plue_agent, plue_readonly;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA agent TO plue_agent;
GRANT SELECT ON ALL TABLES IN SCHEMA agent TO plue_readonly;
