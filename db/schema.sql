-- =============================================================================================
-- Plue: the unified PostgreSQL schema
--
-- The whole database of the Plue forge (repositories, issues, pull requests, reviews, AI agent
-- sessions, CI-like workflows), grouped by the service that owns each table (DESIGN.md section 3):
-- auth-service, git-service, collaboration-service, agent-service; then each service's messaging
-- tables (outbox, inbox, dead letters, event order, in one schema per service); then database
-- roles and grants.
--
-- Applies to an EMPTY database on PostgreSQL 15 and 16, as the seed note says:
--     psql "$DATABASE_URL" < db/schema.sql
-- (add -v ON_ERROR_STOP=1 to stop at the first error).
-- It uses no psql meta-commands and no BEGIN/COMMIT (the migration runner wraps it in a
-- transaction). The runner's own tracking table, public.schema_migrations, is created by the
-- runner and is deliberately not in this file.
--
-- This file equals db/migrations/0001_initial_schema.sql (everything up to the roles section)
-- followed by db/migrations/0002_service_roles.sql (the roles section), verbatim, with the tables
-- of db/migrations/0003_messaging_aggregate_versions.sql placed beside the other messaging tables
-- of each schema (the schema-wide grants of the roles section cover them), the outbox notify
-- trigger as db/migrations/0004_outbox_notify_when_idle.sql leaves it, the review_comments
-- updated_at trigger as db/migrations/0005_review_comment_resolver_is_bookkeeping.sql leaves it,
-- and the statements of db/migrations/0006_mcp_readonly_role.sql at the end of the roles section:
-- migrate:baseline 0006
--
-- Conventions
--   * Tables are plural snake_case as in the seed note; keys are `id bigint GENERATED ALWAYS AS
--     IDENTITY` except for pure join tables, which use composite primary keys.
--   * Names: <table>_pkey, <table>_<cols>_key (unique), <table>_<cols>_fkey, <table>_<col>_check,
--     <table>_<cols>_idx. The seed note's own index names (idx_*) are left free on purpose.
--   * Every foreign key column leads some index. ON DELETE is chosen per key: CASCADE for owned
--     children, SET NULL where the row outlives its reference, RESTRICT for "who did it" columns
--     pointing at users (a user is deleted only after git and collaboration have handed that
--     user's content to the `ghost` user, DESIGN.md section 4, flow 6).
--   * Hashes of secrets (session keys, access tokens, SIWE nonces) are stored as lowercase hex
--     SHA-256 (64 characters); the secrets themselves are never stored.
--   * Git object ids are lowercase hex, 40 (SHA-1) or 64 (SHA-256) characters.
-- =============================================================================================

SET client_min_messages = warning;

-- =============================================================================================
-- Shared helpers
-- =============================================================================================

-- One trigger function keeps updated_at current on every table that has the column.
--   * An UPDATE that sets updated_at itself keeps its value (imports, backfills).
--   * Trigger arguments name bookkeeping columns (counters, ghost reassignment) whose change alone
--     does not count as an update of the row: e.g. allocating the next issue number must not
--     make a repository "recently updated".
CREATE FUNCTION set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.updated_at IS DISTINCT FROM OLD.updated_at THEN
    RETURN NEW;
  END IF;
  IF TG_NARGS > 0 AND (to_jsonb(NEW) - TG_ARGV) = (to_jsonb(OLD) - TG_ARGV) THEN
    RETURN NEW;
  END IF;
  NEW.updated_at := now();
  RETURN NEW;
END;
$$;
COMMENT ON FUNCTION set_updated_at() IS 'BEFORE UPDATE trigger: sets updated_at = now() unless the UPDATE set it or changed only the columns named as trigger arguments.';

-- Branch and ref names as `git check-ref-format` accepts them (the subset that matters here):
-- no control characters, spaces, ~ ^ : ? * [ \, no "..", "//", "@{", no leading "-", "/" or ".",
-- no component starting with ".", no trailing "/" or ".", not ending in ".lock", not "@".
CREATE FUNCTION is_valid_git_ref_name(name text) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN char_length(name) BETWEEN 1 AND 255
   AND name !~ '[[:cntrl:][:space:]~^:?*\[\\]'
   AND name !~ '(^[-/.]|/\.|\.\.|//|@\{|[/.]$|\.lock$|\.lock/)'
   AND name <> '@';
COMMENT ON FUNCTION is_valid_git_ref_name(text) IS 'true when name is a valid git branch/ref name (git check-ref-format rules).';

-- =============================================================================================
-- auth-service: users, their e-mail addresses, cookie sessions, API tokens, SIWE nonces,
-- SSH keys and rate-limit counters
-- =============================================================================================

CREATE TABLE users (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  username       text NOT NULL,
  wallet_address text UNIQUE,
  email          text,
  display_name   text,
  bio            text,
  avatar_url     text,
  is_active      boolean NOT NULL DEFAULT true,
  is_admin       boolean NOT NULL DEFAULT false,
  prohibit_login boolean NOT NULL DEFAULT false,
  last_login_at  timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  -- Like GitHub: 1-39 characters, letters, digits and single inner hyphens.
  CONSTRAINT users_username_check
    CHECK (char_length(username) <= 39 AND username ~ '^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$'),
  -- EIP-55 checksums are verified by the service; the stored form is lowercase so that
  -- uniqueness and lookups are exact.
  CONSTRAINT users_wallet_address_check
    CHECK (wallet_address ~ '^0x[0-9a-fA-F]{40}$' AND wallet_address = lower(wallet_address)),
  CONSTRAINT users_email_check CHECK (char_length(email) <= 254 AND email ~ '^[^@\s]+@[^@\s]+$'),
  CONSTRAINT users_display_name_check CHECK (char_length(display_name) <= 255),
  CONSTRAINT users_bio_check CHECK (char_length(bio) <= 1024),
  CONSTRAINT users_avatar_url_check CHECK (char_length(avatar_url) <= 2048 AND avatar_url ~ '^(https?://|/)')
);
COMMENT ON TABLE users IS 'User accounts; usernames are unique case-insensitively. Owner: auth-service.';
-- Usernames and e-mails are unique regardless of case; the plain username index serves exact
-- lookups such as the seed note's "get user with repos".
CREATE UNIQUE INDEX users_lower_username_key ON users (lower(username));
CREATE INDEX users_username_idx ON users (username);
CREATE UNIQUE INDEX users_lower_email_key ON users (lower(email)) WHERE email IS NOT NULL;
CREATE TRIGGER users_set_updated_at BEFORE UPDATE ON users
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE email_addresses (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id     bigint NOT NULL REFERENCES users ON DELETE CASCADE,
  email       text NOT NULL,
  is_primary  boolean NOT NULL DEFAULT false,
  is_verified boolean NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT email_addresses_email_check CHECK (char_length(email) <= 254 AND email ~ '^[^@\s]+@[^@\s]+$')
);
COMMENT ON TABLE email_addresses IS 'E-mail addresses of users; at most one primary per user. Owner: auth-service.';
CREATE UNIQUE INDEX email_addresses_lower_email_key ON email_addresses (lower(email));
CREATE UNIQUE INDEX email_addresses_user_id_primary_key ON email_addresses (user_id) WHERE is_primary;
CREATE INDEX email_addresses_user_id_idx ON email_addresses (user_id);
CREATE TRIGGER email_addresses_set_updated_at BEFORE UPDATE ON email_addresses
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE auth_sessions (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- SHA-256 of the cookie value, lowercase hex. The cookie value itself is never stored.
  session_key  text NOT NULL UNIQUE,
  user_id      bigint NOT NULL REFERENCES users ON DELETE CASCADE,
  expires_at   timestamptz NOT NULL,
  user_agent   text,
  ip           inet,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT auth_sessions_session_key_check CHECK (session_key ~ '^[0-9a-f]{64}$'),
  CONSTRAINT auth_sessions_user_agent_check CHECK (char_length(user_agent) <= 512),
  CONSTRAINT auth_sessions_expires_at_check CHECK (expires_at > created_at)
);
COMMENT ON TABLE auth_sessions IS 'Cookie sessions, keyed by the SHA-256 of the cookie value. Owner: auth-service.';
COMMENT ON COLUMN auth_sessions.session_key IS 'Lowercase hex SHA-256 of the session cookie value (secret: hidden from plue_readonly).';
CREATE INDEX auth_sessions_user_id_idx ON auth_sessions (user_id);
CREATE INDEX auth_sessions_expires_at_idx ON auth_sessions (expires_at);

-- Unknown scopes are refused here rather than silently granting nothing; tokens always expire.
CREATE TABLE access_tokens (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id          bigint NOT NULL REFERENCES users ON DELETE CASCADE,
  name             text NOT NULL,
  -- SHA-256 of the token, lowercase hex. The token itself is shown once and never stored.
  token_hash       text NOT NULL UNIQUE,
  token_last_eight text NOT NULL,
  scopes           text[] NOT NULL,
  expires_at       timestamptz NOT NULL,
  -- Written at most once per interval by the service, not on every request.
  last_used_at     timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT access_tokens_user_id_name_key UNIQUE (user_id, name),
  CONSTRAINT access_tokens_name_check CHECK (char_length(name) BETWEEN 1 AND 255 AND btrim(name) <> ''),
  CONSTRAINT access_tokens_token_hash_check CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  CONSTRAINT access_tokens_token_last_eight_check CHECK (char_length(token_last_eight) = 8),
  CONSTRAINT access_tokens_scopes_check CHECK (
    cardinality(scopes) >= 1
    AND array_position(scopes, NULL) IS NULL
    AND scopes <@ ARRAY['repo:read', 'repo:write', 'issue:read', 'issue:write', 'user:read', 'user:write',
                        'admin', 'workflow:read', 'workflow:write', 'agent:read', 'agent:write']::text[]),
  CONSTRAINT access_tokens_expires_at_check CHECK (expires_at > created_at)
);
COMMENT ON TABLE access_tokens IS 'API tokens: SHA-256 hash, known scopes only, mandatory expiry. Owner: auth-service.';
COMMENT ON COLUMN access_tokens.token_hash IS 'Lowercase hex SHA-256 of the token (secret: hidden from plue_readonly).';
CREATE INDEX access_tokens_expires_at_idx ON access_tokens (expires_at);

-- A nonce is consumed by the same statement that checks it:
--   UPDATE siwe_nonces SET used_at = now()
--    WHERE nonce = $hash AND used_at IS NULL AND expires_at > now() RETURNING ...
CREATE TABLE siwe_nonces (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- SHA-256 of the nonce, lowercase hex.
  nonce          text NOT NULL UNIQUE,
  wallet_address text,
  expires_at     timestamptz NOT NULL,
  used_at        timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT siwe_nonces_nonce_check CHECK (nonce ~ '^[0-9a-f]{64}$'),
  CONSTRAINT siwe_nonces_wallet_address_check
    CHECK (wallet_address ~ '^0x[0-9a-fA-F]{40}$' AND wallet_address = lower(wallet_address)),
  CONSTRAINT siwe_nonces_expires_at_check CHECK (expires_at > created_at)
);
COMMENT ON TABLE siwe_nonces IS 'Sign-In With Ethereum nonces (stored hashed), single use. Owner: auth-service.';
COMMENT ON COLUMN siwe_nonces.nonce IS 'Lowercase hex SHA-256 of the nonce (secret: hidden from plue_readonly).';
CREATE INDEX siwe_nonces_expires_at_idx ON siwe_nonces (expires_at);

CREATE TABLE ssh_keys (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id      bigint NOT NULL REFERENCES users ON DELETE CASCADE,
  name         text NOT NULL,
  -- OpenSSH SHA-256 fingerprint as printed by `ssh-keygen -l`: "SHA256:" + unpadded base64.
  fingerprint  text NOT NULL UNIQUE,
  public_key   text NOT NULL,
  key_type     text NOT NULL,
  last_used_at timestamptz,
  created_at   timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT ssh_keys_user_id_name_key UNIQUE (user_id, name),
  CONSTRAINT ssh_keys_name_check CHECK (char_length(name) BETWEEN 1 AND 255 AND btrim(name) <> ''),
  CONSTRAINT ssh_keys_fingerprint_check CHECK (fingerprint ~ '^SHA256:[A-Za-z0-9+/]{43}$'),
  CONSTRAINT ssh_keys_public_key_check CHECK (char_length(public_key) BETWEEN 1 AND 16384),
  CONSTRAINT ssh_keys_key_type_check CHECK (key_type IN ('ssh-ed25519', 'ecdsa-sha2-nistp256',
    'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'ssh-rsa'))
);
COMMENT ON TABLE ssh_keys IS 'SSH public keys of users; fingerprints are unique across users. Owner: auth-service.';

-- Fixed-window counters: INSERT ... ON CONFLICT (key, window_start) DO UPDATE SET count = count + 1.
CREATE TABLE rate_limits (
  key          text NOT NULL,
  window_start timestamptz NOT NULL,
  count        integer NOT NULL DEFAULT 0,
  created_at   timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT rate_limits_pkey PRIMARY KEY (key, window_start),
  CONSTRAINT rate_limits_key_check CHECK (char_length(key) BETWEEN 1 AND 512),
  CONSTRAINT rate_limits_count_check CHECK (count >= 0)
);
COMMENT ON TABLE rate_limits IS 'Fixed-window rate-limit counters per key. Owner: auth-service.';
CREATE INDEX rate_limits_window_start_idx ON rate_limits (window_start);

-- =============================================================================================
-- git-service: repositories, collaborators, branches and their protection, commit statuses,
-- stars and watches
-- =============================================================================================

CREATE TABLE repositories (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- The owner.
  user_id           bigint NOT NULL REFERENCES users ON DELETE RESTRICT,
  name              text NOT NULL,
  description       text,
  is_public         boolean NOT NULL DEFAULT true,
  default_branch    text NOT NULL DEFAULT 'main',
  topics            text[] NOT NULL DEFAULT '{}',
  -- Next issue/pull request number. Allocated by the trigger on issues, inside the inserting
  -- transaction, so numbers are gapless and unique under concurrency (see issues).
  next_issue_number bigint NOT NULL DEFAULT 1,
  is_archived       boolean NOT NULL DEFAULT false,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  -- Like GitHub: letters, digits, ".", "_", "-"; not "." or ".."; no ".git" suffix.
  CONSTRAINT repositories_name_check CHECK (char_length(name) BETWEEN 1 AND 100
    AND name ~ '^[A-Za-z0-9._-]+$' AND name NOT IN ('.', '..') AND lower(name) !~ '\.git$'),
  CONSTRAINT repositories_description_check CHECK (char_length(description) <= 1024),
  CONSTRAINT repositories_default_branch_check CHECK (is_valid_git_ref_name(default_branch)),
  -- At most 20 topics, each lowercase letters, digits and hyphens, 1-50 characters.
  CONSTRAINT repositories_topics_check CHECK (cardinality(topics) <= 20
    AND array_position(topics, NULL) IS NULL
    AND (cardinality(topics) = 0
         OR array_to_string(topics, ' ') ~ '^[a-z0-9][a-z0-9-]{0,49}( [a-z0-9][a-z0-9-]{0,49})*$')),
  CONSTRAINT repositories_next_issue_number_check CHECK (next_issue_number > 0)
);
COMMENT ON TABLE repositories IS 'Git repositories; names are unique per owner case-insensitively. Owner: git-service.';
CREATE UNIQUE INDEX repositories_user_id_lower_name_key ON repositories (user_id, lower(name));
CREATE INDEX repositories_topics_idx ON repositories USING gin (topics);
CREATE TRIGGER repositories_set_updated_at BEFORE UPDATE ON repositories
  FOR EACH ROW EXECUTE FUNCTION set_updated_at('next_issue_number');

CREATE TABLE collaborators (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  repo_id    bigint NOT NULL REFERENCES repositories ON DELETE CASCADE,
  user_id    bigint NOT NULL REFERENCES users ON DELETE CASCADE,
  permission text NOT NULL DEFAULT 'read',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT collaborators_repo_id_user_id_key UNIQUE (repo_id, user_id),
  CONSTRAINT collaborators_permission_check CHECK (permission IN ('read', 'write', 'admin'))
);
COMMENT ON TABLE collaborators IS 'Users granted read/write/admin on a repository. Owner: git-service.';
CREATE INDEX collaborators_user_id_idx ON collaborators (user_id);
CREATE TRIGGER collaborators_set_updated_at BEFORE UPDATE ON collaborators
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Soft-deleted branches keep their row (for restore); a name is unique among live branches.
CREATE TABLE branches (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  repo_id        bigint NOT NULL REFERENCES repositories ON DELETE CASCADE,
  name           text NOT NULL,
  commit_id      text NOT NULL,
  commit_message text,
  commit_time    timestamptz,
  pusher_id      bigint REFERENCES users ON DELETE RESTRICT,
  is_deleted     boolean NOT NULL DEFAULT false,
  deleted_by_id  bigint REFERENCES users ON DELETE RESTRICT,
  deleted_at     timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT branches_name_check CHECK (is_valid_git_ref_name(name)),
  CONSTRAINT branches_commit_id_check CHECK (commit_id ~ '^([0-9a-f]{40}|[0-9a-f]{64})$'),
  CONSTRAINT branches_is_deleted_check
    CHECK (is_deleted = (deleted_at IS NOT NULL) AND (is_deleted OR deleted_by_id IS NULL))
);
COMMENT ON TABLE branches IS 'Branch heads of repositories, soft-deleted with is_deleted. Owner: git-service.';
CREATE UNIQUE INDEX branches_repo_id_name_key ON branches (repo_id, name) WHERE NOT is_deleted;
CREATE INDEX branches_repo_id_name_idx ON branches (repo_id, name);
CREATE INDEX branches_pusher_id_idx ON branches (pusher_id) WHERE pusher_id IS NOT NULL;
CREATE INDEX branches_deleted_by_id_idx ON branches (deleted_by_id) WHERE deleted_by_id IS NOT NULL;
CREATE TRIGGER branches_set_updated_at BEFORE UPDATE ON branches
  FOR EACH ROW EXECUTE FUNCTION set_updated_at('pusher_id', 'deleted_by_id');

-- rule_name is a branch name or a glob ("release/*"); the matching rule with the highest
-- priority wins. Allowlists hold user ids (no foreign key is possible on array elements).
CREATE TABLE protected_branches (
  id                            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  repo_id                       bigint NOT NULL REFERENCES repositories ON DELETE CASCADE,
  rule_name                     text NOT NULL,
  priority                      integer NOT NULL DEFAULT 0,
  can_push                      boolean NOT NULL DEFAULT false,
  enable_push_allowlist         boolean NOT NULL DEFAULT false,
  push_allowlist_user_ids       bigint[] NOT NULL DEFAULT '{}',
  can_force_push                boolean NOT NULL DEFAULT false,
  enable_force_push_allowlist   boolean NOT NULL DEFAULT false,
  force_push_allowlist_user_ids bigint[] NOT NULL DEFAULT '{}',
  enable_merge_allowlist        boolean NOT NULL DEFAULT false,
  merge_allowlist_user_ids      bigint[] NOT NULL DEFAULT '{}',
  required_approvals            integer NOT NULL DEFAULT 0,
  enable_status_check           boolean NOT NULL DEFAULT false,
  status_check_contexts         text[] NOT NULL DEFAULT '{}',
  block_on_rejected_reviews     boolean NOT NULL DEFAULT false,
  block_on_outdated_branch      boolean NOT NULL DEFAULT false,
  dismiss_stale_approvals       boolean NOT NULL DEFAULT false,
  created_at                    timestamptz NOT NULL DEFAULT now(),
  updated_at                    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT protected_branches_repo_id_rule_name_key UNIQUE (repo_id, rule_name),
  CONSTRAINT protected_branches_rule_name_check
    CHECK (char_length(rule_name) BETWEEN 1 AND 255 AND rule_name !~ '[[:cntrl:][:space:]]'),
  CONSTRAINT protected_branches_priority_check CHECK (priority >= 0),
  CONSTRAINT protected_branches_required_approvals_check CHECK (required_approvals >= 0),
  CONSTRAINT protected_branches_allowlists_check CHECK (array_position(push_allowlist_user_ids, NULL) IS NULL
    AND array_position(force_push_allowlist_user_ids, NULL) IS NULL
    AND array_position(merge_allowlist_user_ids, NULL) IS NULL
    AND array_position(status_check_contexts, NULL) IS NULL)
);
COMMENT ON TABLE protected_branches IS 'Branch protection rules (name or glob) with push/merge allowlists and merge requirements. Owner: git-service.';
CREATE TRIGGER protected_branches_set_updated_at BEFORE UPDATE ON protected_branches
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE renamed_branches (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  repo_id    bigint NOT NULL REFERENCES repositories ON DELETE CASCADE,
  from_name  text NOT NULL,
  to_name    text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT renamed_branches_from_name_check CHECK (is_valid_git_ref_name(from_name)),
  CONSTRAINT renamed_branches_to_name_check CHECK (is_valid_git_ref_name(to_name)),
  CONSTRAINT renamed_branches_names_check CHECK (from_name <> to_name)
);
COMMENT ON TABLE renamed_branches IS 'History of branch renames, to redirect old names. Owner: git-service.';
CREATE INDEX renamed_branches_repo_id_from_name_idx ON renamed_branches (repo_id, from_name);

-- One row per (repository, commit, context): writers upsert with
-- ON CONFLICT (repo_id, commit_sha, context) DO UPDATE.
CREATE TABLE commit_statuses (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  repo_id         bigint NOT NULL REFERENCES repositories ON DELETE CASCADE,
  commit_sha      text NOT NULL,
  context         text NOT NULL DEFAULT 'default',
  state           text NOT NULL,
  description     text,
  target_url      text,
  creator_id      bigint REFERENCES users ON DELETE RESTRICT,
  -- References agent's workflow_runs (foreign key added after that table, below).
  workflow_run_id bigint,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT commit_statuses_repo_id_commit_sha_context_key UNIQUE (repo_id, commit_sha, context),
  CONSTRAINT commit_statuses_commit_sha_check CHECK (commit_sha ~ '^([0-9a-f]{40}|[0-9a-f]{64})$'),
  CONSTRAINT commit_statuses_context_check CHECK (char_length(context) BETWEEN 1 AND 255),
  CONSTRAINT commit_statuses_state_check CHECK (state IN ('pending', 'success', 'failure', 'error')),
  CONSTRAINT commit_statuses_description_check CHECK (char_length(description) <= 1024),
  -- http(s) or site-relative only: the URL is rendered as a link (no javascript: URLs).
  CONSTRAINT commit_statuses_target_url_check CHECK (char_length(target_url) <= 2048 AND target_url ~ '^(https?://|/)')
);
COMMENT ON TABLE commit_statuses IS 'CI statuses per commit and context (upserted); feed required status checks. Owner: git-service.';
CREATE INDEX commit_statuses_creator_id_idx ON commit_statuses (creator_id) WHERE creator_id IS NOT NULL;
CREATE INDEX commit_statuses_workflow_run_id_idx ON commit_statuses (workflow_run_id) WHERE workflow_run_id IS NOT NULL;
CREATE TRIGGER commit_statuses_set_updated_at BEFORE UPDATE ON commit_statuses
  FOR EACH ROW EXECUTE FUNCTION set_updated_at('creator_id');

CREATE TABLE stars (
  user_id    bigint NOT NULL REFERENCES users ON DELETE CASCADE,
  repo_id    bigint NOT NULL REFERENCES repositories ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT stars_pkey PRIMARY KEY (user_id, repo_id)
);
COMMENT ON TABLE stars IS 'Users starring repositories. Owner: git-service.';
CREATE INDEX stars_repo_id_idx ON stars (repo_id);

CREATE TABLE watches (
  user_id    bigint NOT NULL REFERENCES users ON DELETE CASCADE,
  repo_id    bigint NOT NULL REFERENCES repositories ON DELETE CASCADE,
  mode       text NOT NULL DEFAULT 'watching',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT watches_pkey PRIMARY KEY (user_id, repo_id),
  CONSTRAINT watches_mode_check CHECK (mode IN ('watching', 'participating', 'ignoring'))
);
COMMENT ON TABLE watches IS 'Users watching (or explicitly ignoring) repositories. Owner: git-service.';
CREATE INDEX watches_repo_id_idx ON watches (repo_id);
CREATE TRIGGER watches_set_updated_at BEFORE UPDATE ON watches
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- =============================================================================================
-- collaboration-service: issues and pull requests, comments, labels, milestones, reactions,
-- reviews, the timeline, mentions, dependencies and pins
-- =============================================================================================

CREATE TABLE milestones (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  repo_id     bigint NOT NULL REFERENCES repositories ON DELETE CASCADE,
  title       text NOT NULL,
  description text,
  state       text NOT NULL DEFAULT 'open',
  due_date    date,
  closed_at   timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  -- Target of issues' composite foreign key (a milestone of the issue's own repository).
  CONSTRAINT milestones_id_repo_id_key UNIQUE (id, repo_id),
  CONSTRAINT milestones_title_check CHECK (char_length(title) BETWEEN 1 AND 255 AND btrim(title) <> ''),
  CONSTRAINT milestones_description_check CHECK (char_length(description) <= 65536),
  CONSTRAINT milestones_state_check CHECK (state IN ('open', 'closed')),
  CONSTRAINT milestones_closed_at_check CHECK ((state = 'closed') = (closed_at IS NOT NULL))
);
COMMENT ON TABLE milestones IS 'Milestones of a repository; titles unique per repository case-insensitively. Owner: collaboration-service.';
CREATE UNIQUE INDEX milestones_repo_id_lower_title_key ON milestones (repo_id, lower(title));
CREATE TRIGGER milestones_set_updated_at BEFORE UPDATE ON milestones
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- A pull request is an issue (is_pull = true) plus a pull_requests row: both share the numbering.
CREATE TABLE issues (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  repo_id       bigint NOT NULL REFERENCES repositories ON DELETE CASCADE,
  -- Leave NULL (omit) on INSERT: the trigger below allocates the next number of the repository.
  issue_number  bigint NOT NULL,
  author_id     bigint NOT NULL REFERENCES users ON DELETE RESTRICT,
  title         text NOT NULL,
  body          text NOT NULL DEFAULT '',
  state         text NOT NULL DEFAULT 'open',
  is_pull       boolean NOT NULL DEFAULT false,
  milestone_id  bigint,
  is_locked     boolean NOT NULL DEFAULT false,
  -- Denormalized for sorting; maintained by the triggers on comments (do not write it in code).
  comment_count integer NOT NULL DEFAULT 0,
  closed_at     timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple', coalesce(title, '')), 'A')
    || setweight(to_tsvector('simple', coalesce(body, '')), 'B')) STORED,
  CONSTRAINT issues_repo_id_issue_number_key UNIQUE (repo_id, issue_number),
  -- Target of composite foreign keys that pin a row to the issue's own repository.
  CONSTRAINT issues_id_repo_id_key UNIQUE (id, repo_id),
  -- The milestone must belong to the same repository; deleting it clears only milestone_id.
  CONSTRAINT issues_milestone_id_fkey FOREIGN KEY (milestone_id, repo_id)
    REFERENCES milestones (id, repo_id) ON DELETE SET NULL (milestone_id),
  CONSTRAINT issues_issue_number_check CHECK (issue_number > 0),
  CONSTRAINT issues_title_check CHECK (char_length(title) BETWEEN 1 AND 255 AND btrim(title) <> ''),
  CONSTRAINT issues_body_check CHECK (char_length(body) <= 65536),
  CONSTRAINT issues_state_check CHECK (state IN ('open', 'closed')),
  CONSTRAINT issues_closed_at_check CHECK ((state = 'closed') = (closed_at IS NOT NULL)),
  CONSTRAINT issues_comment_count_check CHECK (comment_count >= 0)
);
COMMENT ON TABLE issues IS 'Issues and pull requests (is_pull), numbered per repository without gaps. Owner: collaboration-service.';
COMMENT ON COLUMN issues.issue_number IS 'Per-repository number; allocated from repositories.next_issue_number by trigger when inserted as NULL.';
CREATE INDEX issues_repo_id_state_created_at_idx ON issues (repo_id, state, created_at DESC);
CREATE INDEX issues_repo_id_state_updated_at_idx ON issues (repo_id, state, updated_at DESC);
CREATE INDEX issues_author_id_idx ON issues (author_id);
CREATE INDEX issues_milestone_id_idx ON issues (milestone_id) WHERE milestone_id IS NOT NULL;
CREATE INDEX issues_search_vector_idx ON issues USING gin (search_vector);
CREATE TRIGGER issues_set_updated_at BEFORE UPDATE ON issues
  FOR EACH ROW EXECUTE FUNCTION set_updated_at('author_id', 'search_vector');

-- Issue numbers are allocated in the inserting transaction: the UPDATE locks the repository row
-- (concurrent inserts queue on it) and rolls back with a failed insert, so no number is burned.
-- SECURITY DEFINER because repositories belongs to git-service: collaboration-service may not
-- update it, but may advance its counter through this trigger. An explicit issue_number (an
-- import) moves the counter past it instead.
CREATE FUNCTION allocate_issue_number() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF NEW.issue_number IS NOT NULL THEN
    UPDATE public.repositories
       SET next_issue_number = NEW.issue_number + 1
     WHERE id = NEW.repo_id AND next_issue_number <= NEW.issue_number;
    RETURN NEW;
  END IF;
  UPDATE public.repositories
     SET next_issue_number = next_issue_number + 1
   WHERE id = NEW.repo_id
  RETURNING next_issue_number - 1 INTO NEW.issue_number;
  IF NEW.issue_number IS NULL THEN
    RAISE EXCEPTION 'repository % does not exist', NEW.repo_id
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'issues_repo_id_fkey',
            SCHEMA = TG_TABLE_SCHEMA, TABLE = TG_TABLE_NAME;
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER issues_allocate_issue_number BEFORE INSERT ON issues
  FOR EACH ROW EXECUTE FUNCTION allocate_issue_number();

CREATE TABLE pull_requests (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  issue_id         bigint NOT NULL UNIQUE,
  -- The base repository is the issue's repository (composite foreign key below).
  base_repo_id     bigint NOT NULL,
  base_branch      text NOT NULL,
  -- NULL once a fork that held the head branch is deleted.
  head_repo_id     bigint REFERENCES repositories ON DELETE SET NULL,
  head_branch      text NOT NULL,
  head_commit_id   text,
  merge_base       text,
  status           text NOT NULL DEFAULT 'checking',
  has_merged       boolean NOT NULL DEFAULT false,
  merged_at        timestamptz,
  merged_by        bigint REFERENCES users ON DELETE RESTRICT,
  merged_commit_id text,
  merge_style      text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT pull_requests_issue_id_fkey FOREIGN KEY (issue_id, base_repo_id)
    REFERENCES issues (id, repo_id) ON DELETE CASCADE,
  CONSTRAINT pull_requests_base_branch_check CHECK (is_valid_git_ref_name(base_branch)),
  CONSTRAINT pull_requests_head_branch_check CHECK (is_valid_git_ref_name(head_branch)),
  CONSTRAINT pull_requests_head_commit_id_check CHECK (head_commit_id ~ '^([0-9a-f]{40}|[0-9a-f]{64})$'),
  CONSTRAINT pull_requests_merge_base_check CHECK (merge_base ~ '^([0-9a-f]{40}|[0-9a-f]{64})$'),
  CONSTRAINT pull_requests_merged_commit_id_check CHECK (merged_commit_id ~ '^([0-9a-f]{40}|[0-9a-f]{64})$'),
  CONSTRAINT pull_requests_status_check
    CHECK (status IN ('checking', 'mergeable', 'conflict', 'empty', 'error', 'merged', 'closed')),
  CONSTRAINT pull_requests_merge_style_check CHECK (merge_style IN ('merge', 'rebase', 'squash')),
  CONSTRAINT pull_requests_has_merged_check
    CHECK (has_merged = (status = 'merged') AND has_merged = (merged_at IS NOT NULL)),
  CONSTRAINT pull_requests_merge_details_check CHECK (NOT has_merged
    OR (merged_by IS NOT NULL AND merged_commit_id IS NOT NULL AND merge_style IS NOT NULL)),
  CONSTRAINT pull_requests_branches_check
    CHECK (NOT (head_repo_id = base_repo_id AND head_branch = base_branch))
);
COMMENT ON TABLE pull_requests IS 'Pull-request part of an issue: head/base branches, mergeability and merge result. Owner: collaboration-service.';
CREATE INDEX pull_requests_base_repo_id_base_branch_idx ON pull_requests (base_repo_id, base_branch);
CREATE INDEX pull_requests_head_repo_id_head_branch_idx ON pull_requests (head_repo_id, head_branch)
  WHERE head_repo_id IS NOT NULL;
CREATE INDEX pull_requests_merged_by_idx ON pull_requests (merged_by) WHERE merged_by IS NOT NULL;
CREATE TRIGGER pull_requests_set_updated_at BEFORE UPDATE ON pull_requests
  FOR EACH ROW EXECUTE FUNCTION set_updated_at('merged_by');

CREATE TABLE comments (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  issue_id   bigint NOT NULL REFERENCES issues ON DELETE CASCADE,
  author_id  bigint NOT NULL REFERENCES users ON DELETE RESTRICT,
  body       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- When the body was last edited by a person (updated_at also moves for other reasons).
  edited_at  timestamptz,
  CONSTRAINT comments_body_check CHECK (char_length(body) BETWEEN 1 AND 65536 AND btrim(body) <> '')
);
COMMENT ON TABLE comments IS 'Comments on issues and pull requests. Owner: collaboration-service.';
CREATE INDEX comments_issue_id_created_at_idx ON comments (issue_id, created_at);
CREATE INDEX comments_author_id_idx ON comments (author_id);
CREATE TRIGGER comments_set_updated_at BEFORE UPDATE ON comments
  FOR EACH ROW EXECUTE FUNCTION set_updated_at('author_id');

-- Trigger functions that fire on DELETE run SECURITY DEFINER: when another service's role
-- deletes a parent row (git-service deleting a repository, auth-service a user), the cascaded
-- deletes' AFTER triggers run as that role, which may not write collaboration tables.

-- issues.comment_count follows inserts, deletes and moves of comments.
CREATE FUNCTION count_issue_comments() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    UPDATE public.issues SET comment_count = comment_count + 1 WHERE id = NEW.issue_id;
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    UPDATE public.issues SET comment_count = comment_count - 1 WHERE id = OLD.issue_id;
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER comments_count_on_insert_delete AFTER INSERT OR DELETE ON comments
  FOR EACH ROW EXECUTE FUNCTION count_issue_comments();
CREATE TRIGGER comments_count_on_move AFTER UPDATE OF issue_id ON comments
  FOR EACH ROW WHEN (OLD.issue_id IS DISTINCT FROM NEW.issue_id) EXECUTE FUNCTION count_issue_comments();

CREATE TABLE labels (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  repo_id     bigint NOT NULL REFERENCES repositories ON DELETE CASCADE,
  name        text NOT NULL,
  color       text NOT NULL,
  description text,
  -- Exclusive labels ("scope/value") allow one label of a scope per issue (checked in code).
  exclusive   boolean NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT labels_name_check CHECK (char_length(name) BETWEEN 1 AND 50 AND btrim(name) <> ''),
  CONSTRAINT labels_color_check CHECK (color ~ '^#[0-9a-fA-F]{6}$'),
  CONSTRAINT labels_description_check CHECK (char_length(description) <= 255)
);
COMMENT ON TABLE labels IS 'Labels of a repository: unique name (case-insensitive), #rrggbb color. Owner: collaboration-service.';
CREATE UNIQUE INDEX labels_repo_id_lower_name_key ON labels (repo_id, lower(name));
CREATE TRIGGER labels_set_updated_at BEFORE UPDATE ON labels
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE issue_labels (
  issue_id   bigint NOT NULL REFERENCES issues ON DELETE CASCADE,
  label_id   bigint NOT NULL REFERENCES labels ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT issue_labels_pkey PRIMARY KEY (issue_id, label_id)
);
COMMENT ON TABLE issue_labels IS 'Labels applied to issues. Owner: collaboration-service.';
CREATE INDEX issue_labels_label_id_idx ON issue_labels (label_id);

CREATE TABLE issue_assignees (
  issue_id   bigint NOT NULL REFERENCES issues ON DELETE CASCADE,
  user_id    bigint NOT NULL REFERENCES users ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT issue_assignees_pkey PRIMARY KEY (issue_id, user_id)
);
COMMENT ON TABLE issue_assignees IS 'Users assigned to issues. Owner: collaboration-service.';
CREATE INDEX issue_assignees_user_id_idx ON issue_assignees (user_id);

-- target_id is ALWAYS a row id: issues.id when target_type = 'issue', comments.id when
-- 'comment' (never an issue number). A trigger checks that the target exists; deleting an
-- issue or comment deletes its reactions (see "Polymorphic targets" below).
CREATE TABLE reactions (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id     bigint NOT NULL REFERENCES users ON DELETE CASCADE,
  target_type text NOT NULL,
  target_id   bigint NOT NULL,
  content     text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT reactions_target_type_target_id_user_id_content_key
    UNIQUE (target_type, target_id, user_id, content),
  CONSTRAINT reactions_target_type_check CHECK (target_type IN ('issue', 'comment')),
  CONSTRAINT reactions_content_check
    CHECK (content IN ('+1', '-1', 'laugh', 'hooray', 'confused', 'heart', 'rocket', 'eyes'))
);
COMMENT ON TABLE reactions IS 'Emoji reactions on issues or comments; target_id is always the row id. Owner: collaboration-service.';
CREATE INDEX reactions_user_id_idx ON reactions (user_id);

CREATE TABLE reviews (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- The pull request's issue.
  issue_id     bigint NOT NULL REFERENCES issues ON DELETE CASCADE,
  reviewer_id  bigint NOT NULL REFERENCES users ON DELETE RESTRICT,
  state        text NOT NULL DEFAULT 'pending',
  body         text NOT NULL DEFAULT '',
  -- Head commit the review was made against.
  commit_id    text,
  -- Counts toward required approvals (reviewer had write access when submitting).
  official     boolean NOT NULL DEFAULT false,
  -- The head moved after the review (dismiss_stale_approvals).
  stale        boolean NOT NULL DEFAULT false,
  submitted_at timestamptz,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  -- Target of review_comments' composite foreign key.
  CONSTRAINT reviews_id_issue_id_key UNIQUE (id, issue_id),
  CONSTRAINT reviews_state_check
    CHECK (state IN ('pending', 'approved', 'changes_requested', 'commented', 'dismissed')),
  CONSTRAINT reviews_body_check CHECK (char_length(body) <= 65536),
  CONSTRAINT reviews_commit_id_check CHECK (commit_id ~ '^([0-9a-f]{40}|[0-9a-f]{64})$'),
  CONSTRAINT reviews_submitted_at_check CHECK ((state = 'pending') = (submitted_at IS NULL))
);
COMMENT ON TABLE reviews IS 'Pull-request reviews; one pending (draft) review per reviewer and pull request. Owner: collaboration-service.';
CREATE INDEX reviews_issue_id_created_at_idx ON reviews (issue_id, created_at);
CREATE INDEX reviews_reviewer_id_idx ON reviews (reviewer_id);
CREATE UNIQUE INDEX reviews_issue_id_reviewer_id_pending_key ON reviews (issue_id, reviewer_id)
  WHERE state = 'pending';
CREATE TRIGGER reviews_set_updated_at BEFORE UPDATE ON reviews
  FOR EACH ROW EXECUTE FUNCTION set_updated_at('reviewer_id');

CREATE TABLE review_comments (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  review_id      bigint NOT NULL,
  issue_id       bigint NOT NULL REFERENCES issues ON DELETE CASCADE,
  author_id      bigint NOT NULL REFERENCES users ON DELETE RESTRICT,
  commit_id      text,
  path           text NOT NULL,
  -- NULL for a comment on the whole file.
  line           integer,
  side           text NOT NULL DEFAULT 'right',
  diff_hunk      text,
  body           text NOT NULL,
  in_reply_to_id bigint REFERENCES review_comments ON DELETE CASCADE,
  resolved_by_id bigint REFERENCES users ON DELETE RESTRICT,
  resolved_at    timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  -- The review belongs to the same pull request.
  CONSTRAINT review_comments_review_id_fkey FOREIGN KEY (review_id, issue_id)
    REFERENCES reviews (id, issue_id) ON DELETE CASCADE,
  CONSTRAINT review_comments_commit_id_check CHECK (commit_id ~ '^([0-9a-f]{40}|[0-9a-f]{64})$'),
  CONSTRAINT review_comments_path_check CHECK (char_length(path) BETWEEN 1 AND 4096),
  CONSTRAINT review_comments_line_check CHECK (line > 0),
  CONSTRAINT review_comments_side_check CHECK (side IN ('left', 'right')),
  CONSTRAINT review_comments_body_check CHECK (char_length(body) BETWEEN 1 AND 65536 AND btrim(body) <> ''),
  CONSTRAINT review_comments_in_reply_to_id_check CHECK (in_reply_to_id <> id),
  CONSTRAINT review_comments_resolved_check CHECK ((resolved_by_id IS NULL) = (resolved_at IS NULL))
);
COMMENT ON TABLE review_comments IS 'Line-level comments of a pull-request review, threaded by in_reply_to_id. Owner: collaboration-service.';
CREATE INDEX review_comments_issue_id_path_idx ON review_comments (issue_id, path, line);
CREATE INDEX review_comments_review_id_idx ON review_comments (review_id);
CREATE INDEX review_comments_author_id_idx ON review_comments (author_id);
CREATE INDEX review_comments_in_reply_to_id_idx ON review_comments (in_reply_to_id) WHERE in_reply_to_id IS NOT NULL;
CREATE INDEX review_comments_resolved_by_id_idx ON review_comments (resolved_by_id) WHERE resolved_by_id IS NOT NULL;
CREATE TRIGGER review_comments_set_updated_at BEFORE UPDATE ON review_comments
  FOR EACH ROW EXECUTE FUNCTION set_updated_at('author_id', 'resolved_by_id');

-- The timeline of an issue or pull request (comments are their own table).
CREATE TABLE issue_events (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  issue_id   bigint NOT NULL REFERENCES issues ON DELETE CASCADE,
  -- NULL for events caused by the system (e.g. a workflow).
  actor_id   bigint REFERENCES users ON DELETE RESTRICT,
  event_type text NOT NULL,
  payload    jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT issue_events_event_type_check CHECK (event_type IN (
    'opened', 'closed', 'reopened', 'renamed', 'locked', 'unlocked', 'pinned', 'unpinned',
    'labeled', 'unlabeled', 'assigned', 'unassigned', 'milestoned', 'demilestoned',
    'referenced', 'cross_referenced', 'mentioned', 'dependency_added', 'dependency_removed',
    'review_requested', 'review_request_removed', 'reviewed', 'review_dismissed',
    'merged', 'head_ref_force_pushed', 'head_ref_deleted', 'head_ref_restored', 'base_ref_changed',
    'converted_to_draft', 'ready_for_review', 'transferred')),
  CONSTRAINT issue_events_payload_check CHECK (jsonb_typeof(payload) = 'object')
);
COMMENT ON TABLE issue_events IS 'Timeline events of issues and pull requests. Owner: collaboration-service.';
CREATE INDEX issue_events_issue_id_created_at_idx ON issue_events (issue_id, created_at);
CREATE INDEX issue_events_actor_id_idx ON issue_events (actor_id) WHERE actor_id IS NOT NULL;

-- One row per mentioned user per issue body or comment (target_id is a row id, as in reactions).
CREATE TABLE mentions (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  target_type text NOT NULL,
  target_id   bigint NOT NULL,
  user_id     bigint NOT NULL REFERENCES users ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT mentions_target_type_target_id_user_id_key UNIQUE (target_type, target_id, user_id),
  CONSTRAINT mentions_target_type_check CHECK (target_type IN ('issue', 'comment'))
);
COMMENT ON TABLE mentions IS '@-mentions of users in issue bodies and comments, unique per target and user. Owner: collaboration-service.';
CREATE INDEX mentions_user_id_created_at_idx ON mentions (user_id, created_at DESC);

-- Polymorphic targets (reactions, mentions): the target must exist when the row is written (and
-- is locked FOR KEY SHARE until commit, as a foreign key would), and rows go with their target.
CREATE FUNCTION check_issue_or_comment_target() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.target_type = 'issue' THEN
    PERFORM FROM public.issues WHERE id = NEW.target_id FOR KEY SHARE;
  ELSE
    PERFORM FROM public.comments WHERE id = NEW.target_id FOR KEY SHARE;
  END IF;
  IF NOT FOUND THEN
    RAISE EXCEPTION '% target % % does not exist', TG_TABLE_NAME, NEW.target_type, NEW.target_id
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = TG_TABLE_NAME || '_target_fkey',
            SCHEMA = TG_TABLE_SCHEMA, TABLE = TG_TABLE_NAME;
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER reactions_check_target BEFORE INSERT OR UPDATE OF target_type, target_id ON reactions
  FOR EACH ROW EXECUTE FUNCTION check_issue_or_comment_target();
CREATE TRIGGER mentions_check_target BEFORE INSERT OR UPDATE OF target_type, target_id ON mentions
  FOR EACH ROW EXECUTE FUNCTION check_issue_or_comment_target();

-- TG_ARGV[0] is the target_type of the table the trigger is on ('issue' or 'comment').
CREATE FUNCTION delete_issue_or_comment_dependents() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  DELETE FROM public.reactions r USING deleted_rows d
   WHERE r.target_type = TG_ARGV[0] AND r.target_id = d.id;
  DELETE FROM public.mentions m USING deleted_rows d
   WHERE m.target_type = TG_ARGV[0] AND m.target_id = d.id;
  RETURN NULL;
END;
$$;
CREATE TRIGGER issues_delete_dependents AFTER DELETE ON issues
  REFERENCING OLD TABLE AS deleted_rows
  FOR EACH STATEMENT EXECUTE FUNCTION delete_issue_or_comment_dependents('issue');
CREATE TRIGGER comments_delete_dependents AFTER DELETE ON comments
  REFERENCING OLD TABLE AS deleted_rows
  FOR EACH STATEMENT EXECUTE FUNCTION delete_issue_or_comment_dependents('comment');

-- "issue_id depends on (is blocked by) depends_on_issue_id". No cycles of any length, checked
-- by the trigger below.
CREATE TABLE issue_dependencies (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  issue_id            bigint NOT NULL REFERENCES issues ON DELETE CASCADE,
  depends_on_issue_id bigint NOT NULL REFERENCES issues ON DELETE CASCADE,
  created_at          timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT issue_dependencies_issue_id_depends_on_issue_id_key UNIQUE (issue_id, depends_on_issue_id),
  CONSTRAINT issue_dependencies_not_self_check CHECK (issue_id <> depends_on_issue_id)
);
COMMENT ON TABLE issue_dependencies IS 'Blocking relations between issues; the graph is kept acyclic by trigger. Owner: collaboration-service.';
CREATE INDEX issue_dependencies_depends_on_issue_id_idx ON issue_dependencies (depends_on_issue_id);

-- Refuses an edge that closes a cycle: new edge A -> B is a cycle when B already reaches A.
-- Dependencies may cross repositories, so writers are serialized by one transaction-level
-- advisory lock (two-key form: key (oid of issue_dependencies, 0)); under READ COMMITTED the
-- search after the lock sees every committed edge. (Under REPEATABLE READ the snapshot predates
-- the lock; write dependencies in READ COMMITTED or SERIALIZABLE transactions.)
-- Error: SQLSTATE 23514 (check_violation), constraint issue_dependencies_no_cycle_check.
CREATE FUNCTION prevent_issue_dependency_cycle() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(TG_RELID::integer, 0);
  IF EXISTS (
    WITH RECURSIVE reachable (id) AS (
      SELECT d.depends_on_issue_id FROM public.issue_dependencies d
       WHERE d.issue_id = NEW.depends_on_issue_id
      UNION
      SELECT d.depends_on_issue_id FROM public.issue_dependencies d
        JOIN reachable r ON d.issue_id = r.id
    )
    SELECT FROM reachable WHERE id = NEW.issue_id
  ) THEN
    RAISE EXCEPTION 'issue dependency % -> % would create a cycle', NEW.issue_id, NEW.depends_on_issue_id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'issue_dependencies_no_cycle_check',
            SCHEMA = TG_TABLE_SCHEMA, TABLE = TG_TABLE_NAME,
            DETAIL = format('Issue %s already depends on issue %s, directly or through other issues.',
                            NEW.depends_on_issue_id, NEW.issue_id);
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER issue_dependencies_prevent_cycle
  BEFORE INSERT OR UPDATE OF issue_id, depends_on_issue_id ON issue_dependencies
  FOR EACH ROW EXECUTE FUNCTION prevent_issue_dependency_cycle();

-- At most 3 pins per repository, numbered 1..n without gaps:
--   * pin_order is 1..3 and unique per repository; the unique constraint is DEFERRABLE INITIALLY
--     DEFERRED so that reordering can swap numbers inside one transaction;
--   * deleting pins (unpinning, or deleting the issue) renumbers the remaining pins of the
--     repository 1..n automatically: do NOT renumber in code after a DELETE;
--   * a deferred constraint trigger refuses, at commit, a repository whose pins have a gap.
-- (Both functions run SECURITY DEFINER, like count_issue_comments, for cascaded deletes.)
CREATE TABLE pinned_issues (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  repo_id    bigint NOT NULL REFERENCES repositories ON DELETE CASCADE,
  issue_id   bigint NOT NULL UNIQUE,
  pin_order  integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  -- The pinned issue belongs to the repository.
  CONSTRAINT pinned_issues_issue_id_fkey FOREIGN KEY (issue_id, repo_id)
    REFERENCES issues (id, repo_id) ON DELETE CASCADE,
  CONSTRAINT pinned_issues_repo_id_pin_order_key UNIQUE (repo_id, pin_order) DEFERRABLE INITIALLY DEFERRED,
  CONSTRAINT pinned_issues_pin_order_check CHECK (pin_order BETWEEN 1 AND 3)
);
COMMENT ON TABLE pinned_issues IS 'Up to 3 pinned issues per repository, pin_order 1..n without gaps. Owner: collaboration-service.';
CREATE TRIGGER pinned_issues_set_updated_at BEFORE UPDATE ON pinned_issues
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE FUNCTION compact_pinned_issues() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  UPDATE public.pinned_issues p
     SET pin_order = r.new_order
    FROM (SELECT id, row_number() OVER (PARTITION BY repo_id ORDER BY pin_order) AS new_order
            FROM public.pinned_issues
           WHERE repo_id IN (SELECT repo_id FROM deleted_rows)) r
   WHERE p.id = r.id AND p.pin_order <> r.new_order;
  RETURN NULL;
END;
$$;
CREATE TRIGGER pinned_issues_compact AFTER DELETE ON pinned_issues
  REFERENCING OLD TABLE AS deleted_rows
  FOR EACH STATEMENT EXECUTE FUNCTION compact_pinned_issues();

CREATE FUNCTION check_pinned_issues_contiguous() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  pins integer;
  highest integer;
BEGIN
  SELECT count(*), coalesce(max(pin_order), 0) INTO pins, highest
    FROM public.pinned_issues WHERE repo_id = NEW.repo_id;
  IF pins <> highest THEN
    RAISE EXCEPTION 'pinned issues of repository % must be numbered 1..% without gaps', NEW.repo_id, pins
      USING ERRCODE = 'check_violation', CONSTRAINT = 'pinned_issues_pin_order_contiguous_check',
            SCHEMA = TG_TABLE_SCHEMA, TABLE = TG_TABLE_NAME;
  END IF;
  RETURN NULL;
END;
$$;
CREATE CONSTRAINT TRIGGER pinned_issues_contiguous AFTER INSERT OR UPDATE ON pinned_issues
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION check_pinned_issues_contiguous();

-- =============================================================================================
-- agent-service: workflows (definitions, runs, steps, logs, the runner pool), agent sessions
-- with their messages and parts, and LLM usage accounting
-- =============================================================================================

CREATE TABLE workflow_definitions (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  repo_id         bigint NOT NULL REFERENCES repositories ON DELETE CASCADE,
  name            text NOT NULL,
  -- Path of the workflow file in the repository.
  file_path       text NOT NULL,
  -- Trigger filters: event types AND branch globs (both must match).
  triggers        jsonb NOT NULL DEFAULT '[]',
  -- The step DAG.
  plan            jsonb NOT NULL DEFAULT '{}',
  -- SHA-256 of the file content, lowercase hex.
  content_hash    text NOT NULL,
  is_active       boolean NOT NULL DEFAULT true,
  -- Next run number; allocated by the trigger on workflow_runs (same scheme as issue numbers).
  next_run_number bigint NOT NULL DEFAULT 1,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT workflow_definitions_repo_id_file_path_key UNIQUE (repo_id, file_path),
  -- Target of workflow_runs' composite foreign key.
  CONSTRAINT workflow_definitions_id_repo_id_key UNIQUE (id, repo_id),
  CONSTRAINT workflow_definitions_name_check CHECK (char_length(name) BETWEEN 1 AND 255 AND btrim(name) <> ''),
  CONSTRAINT workflow_definitions_file_path_check
    CHECK (char_length(file_path) BETWEEN 1 AND 1024 AND file_path !~ '(^/|(^|/)\.\.(/|$))'),
  CONSTRAINT workflow_definitions_triggers_check CHECK (jsonb_typeof(triggers) IN ('array', 'object')),
  CONSTRAINT workflow_definitions_plan_check CHECK (jsonb_typeof(plan) = 'object'),
  CONSTRAINT workflow_definitions_content_hash_check CHECK (content_hash ~ '^[0-9a-f]{64}$'),
  CONSTRAINT workflow_definitions_next_run_number_check CHECK (next_run_number > 0)
);
COMMENT ON TABLE workflow_definitions IS 'Workflow files of a repository: triggers and the step DAG (plan). Owner: agent-service.';
CREATE TRIGGER workflow_definitions_set_updated_at BEFORE UPDATE ON workflow_definitions
  FOR EACH ROW EXECUTE FUNCTION set_updated_at('next_run_number');

CREATE TABLE workflow_runs (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  repo_id         bigint NOT NULL REFERENCES repositories ON DELETE CASCADE,
  definition_id   bigint NOT NULL,
  -- Leave NULL (omit) on INSERT: allocated per definition by the trigger below.
  run_number      bigint NOT NULL,
  trigger_type    text NOT NULL,
  trigger_payload jsonb NOT NULL DEFAULT '{}',
  -- The ref (branch) the run is for, and its head commit.
  ref             text,
  head_commit_id  text,
  status          text NOT NULL DEFAULT 'queued',
  started_at      timestamptz,
  completed_at    timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT workflow_runs_definition_id_run_number_key UNIQUE (definition_id, run_number),
  -- The definition belongs to the run's repository. NO ACTION (not RESTRICT): a definition with
  -- runs is deactivated rather than deleted, yet deleting the repository removes both.
  CONSTRAINT workflow_runs_definition_id_fkey FOREIGN KEY (definition_id, repo_id)
    REFERENCES workflow_definitions (id, repo_id) ON DELETE NO ACTION,
  CONSTRAINT workflow_runs_run_number_check CHECK (run_number > 0),
  CONSTRAINT workflow_runs_trigger_type_check CHECK (trigger_type IN ('push', 'pull_request',
    'pull_request_review', 'issue', 'issue_comment', 'chat', 'manual', 'schedule')),
  CONSTRAINT workflow_runs_trigger_payload_check CHECK (jsonb_typeof(trigger_payload) = 'object'),
  CONSTRAINT workflow_runs_ref_check CHECK (char_length(ref) BETWEEN 1 AND 1024),
  CONSTRAINT workflow_runs_head_commit_id_check CHECK (head_commit_id ~ '^([0-9a-f]{40}|[0-9a-f]{64})$'),
  CONSTRAINT workflow_runs_status_check
    CHECK (status IN ('queued', 'running', 'success', 'failure', 'cancelled', 'skipped', 'error')),
  CONSTRAINT workflow_runs_completed_at_check
    CHECK ((status IN ('success', 'failure', 'cancelled', 'skipped', 'error')) = (completed_at IS NOT NULL)),
  CONSTRAINT workflow_runs_started_at_check CHECK (status <> 'running' OR started_at IS NOT NULL)
);
COMMENT ON TABLE workflow_runs IS 'Executions of workflow definitions, numbered per definition. Owner: agent-service.';
CREATE INDEX workflow_runs_repo_id_created_at_idx ON workflow_runs (repo_id, created_at DESC);
CREATE INDEX workflow_runs_active_idx ON workflow_runs (created_at) WHERE status IN ('queued', 'running');
CREATE TRIGGER workflow_runs_set_updated_at BEFORE UPDATE ON workflow_runs
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE FUNCTION allocate_workflow_run_number() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.run_number IS NOT NULL THEN
    UPDATE public.workflow_definitions
       SET next_run_number = NEW.run_number + 1
     WHERE id = NEW.definition_id AND next_run_number <= NEW.run_number;
    RETURN NEW;
  END IF;
  UPDATE public.workflow_definitions
     SET next_run_number = next_run_number + 1
   WHERE id = NEW.definition_id
  RETURNING next_run_number - 1 INTO NEW.run_number;
  IF NEW.run_number IS NULL THEN
    RAISE EXCEPTION 'workflow definition % does not exist', NEW.definition_id
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'workflow_runs_definition_id_fkey',
            SCHEMA = TG_TABLE_SCHEMA, TABLE = TG_TABLE_NAME;
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER workflow_runs_allocate_run_number BEFORE INSERT ON workflow_runs
  FOR EACH ROW EXECUTE FUNCTION allocate_workflow_run_number();

CREATE TABLE workflow_steps (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id            bigint NOT NULL REFERENCES workflow_runs ON DELETE CASCADE,
  -- The step's id in the plan.
  step_key          text NOT NULL,
  name              text NOT NULL,
  type              text NOT NULL,
  -- The step's definition from the plan (argv for shell steps: never a shell string).
  config            jsonb NOT NULL DEFAULT '{}',
  depends_on        text[] NOT NULL DEFAULT '{}',
  status            text NOT NULL DEFAULT 'pending',
  -- The runner pod executing the step (foreign key added after runner_pool, below).
  runner_id         bigint,
  attempt           integer NOT NULL DEFAULT 0,
  exit_code         integer,
  output            jsonb,
  error             text,
  started_at        timestamptz,
  completed_at      timestamptz,
  -- Per-step log sequence allocator (never MAX+1): see workflow_logs.
  next_log_sequence bigint NOT NULL DEFAULT 0,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT workflow_steps_run_id_step_key_key UNIQUE (run_id, step_key),
  CONSTRAINT workflow_steps_step_key_check CHECK (char_length(step_key) BETWEEN 1 AND 255),
  CONSTRAINT workflow_steps_name_check CHECK (char_length(name) BETWEEN 1 AND 255),
  CONSTRAINT workflow_steps_type_check CHECK (type IN ('shell', 'llm', 'agent')),
  CONSTRAINT workflow_steps_config_check CHECK (jsonb_typeof(config) = 'object'),
  CONSTRAINT workflow_steps_depends_on_check
    CHECK (array_position(depends_on, NULL) IS NULL AND NOT (step_key = ANY (depends_on))),
  CONSTRAINT workflow_steps_status_check CHECK (status IN ('pending', 'ready', 'claimed', 'running',
    'success', 'failure', 'skipped', 'cancelled')),
  CONSTRAINT workflow_steps_completed_at_check
    CHECK ((status IN ('success', 'failure', 'skipped', 'cancelled')) = (completed_at IS NOT NULL)),
  CONSTRAINT workflow_steps_attempt_check CHECK (attempt >= 0),
  CONSTRAINT workflow_steps_next_log_sequence_check CHECK (next_log_sequence >= 0)
);
COMMENT ON TABLE workflow_steps IS 'Steps of a workflow run (nodes of the plan DAG) and their execution state. Owner: agent-service.';
CREATE INDEX workflow_steps_ready_idx ON workflow_steps (created_at) WHERE status = 'ready';
CREATE INDEX workflow_steps_runner_id_idx ON workflow_steps (runner_id) WHERE runner_id IS NOT NULL;
CREATE TRIGGER workflow_steps_set_updated_at BEFORE UPDATE ON workflow_steps
  FOR EACH ROW EXECUTE FUNCTION set_updated_at('next_log_sequence');

-- Log lines are numbered per step from workflow_steps.next_log_sequence (row-locked counter):
-- insert with sequence NULL (omitted) and the trigger allocates; a writer that batches may
-- reserve a range itself with
--   UPDATE workflow_steps SET next_log_sequence = next_log_sequence + $n WHERE id = $step
--   RETURNING next_log_sequence - $n
CREATE TABLE workflow_logs (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  step_id    bigint NOT NULL REFERENCES workflow_steps ON DELETE CASCADE,
  sequence   bigint NOT NULL,
  log_type   text NOT NULL DEFAULT 'stdout',
  content    text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT workflow_logs_step_id_sequence_key UNIQUE (step_id, sequence),
  CONSTRAINT workflow_logs_sequence_check CHECK (sequence >= 0),
  CONSTRAINT workflow_logs_log_type_check
    CHECK (log_type IN ('stdout', 'stderr', 'system', 'token', 'tool_call', 'tool_result')),
  CONSTRAINT workflow_logs_content_check CHECK (char_length(content) <= 1048576)
);
COMMENT ON TABLE workflow_logs IS 'Output of workflow steps, ordered by a per-step sequence. Owner: agent-service.';

CREATE FUNCTION allocate_workflow_log_sequence() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.sequence IS NOT NULL THEN
    UPDATE public.workflow_steps
       SET next_log_sequence = NEW.sequence + 1
     WHERE id = NEW.step_id AND next_log_sequence <= NEW.sequence;
    RETURN NEW;
  END IF;
  UPDATE public.workflow_steps
     SET next_log_sequence = next_log_sequence + 1
   WHERE id = NEW.step_id
  RETURNING next_log_sequence - 1 INTO NEW.sequence;
  IF NEW.sequence IS NULL THEN
    RAISE EXCEPTION 'workflow step % does not exist', NEW.step_id
      USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'workflow_logs_step_id_fkey',
            SCHEMA = TG_TABLE_SCHEMA, TABLE = TG_TABLE_NAME;
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER workflow_logs_allocate_sequence BEFORE INSERT ON workflow_logs
  FOR EACH ROW EXECUTE FUNCTION allocate_workflow_log_sequence();

CREATE TABLE runner_pool (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  pod_name           text NOT NULL UNIQUE,
  pod_ip             inet,
  status             text NOT NULL DEFAULT 'available',
  labels             text[] NOT NULL DEFAULT '{}',
  last_heartbeat     timestamptz NOT NULL DEFAULT now(),
  claimed_by_step_id bigint REFERENCES workflow_steps ON DELETE SET NULL,
  claimed_at         timestamptz,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT runner_pool_pod_name_check CHECK (char_length(pod_name) BETWEEN 1 AND 253),
  CONSTRAINT runner_pool_status_check CHECK (status IN ('available', 'claimed', 'terminated')),
  -- An available runner holds no claim. (A claimed runner may lose its step to ON DELETE SET NULL.)
  CONSTRAINT runner_pool_claim_check
    CHECK (status <> 'available' OR (claimed_by_step_id IS NULL AND claimed_at IS NULL)),
  CONSTRAINT runner_pool_labels_check CHECK (array_position(labels, NULL) IS NULL)
);
COMMENT ON TABLE runner_pool IS 'Registry of warm runner pods and which step each has claimed. Owner: agent-service.';
-- One runner per step.
CREATE UNIQUE INDEX runner_pool_claimed_by_step_id_key ON runner_pool (claimed_by_step_id)
  WHERE claimed_by_step_id IS NOT NULL;
CREATE INDEX runner_pool_status_last_heartbeat_idx ON runner_pool (status, last_heartbeat);
CREATE TRIGGER runner_pool_set_updated_at BEFORE UPDATE ON runner_pool
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

ALTER TABLE workflow_steps ADD CONSTRAINT workflow_steps_runner_id_fkey
  FOREIGN KEY (runner_id) REFERENCES runner_pool ON DELETE SET NULL;

-- Agent sessions belong to a user (user_id): listings are always filtered by owner.
CREATE TABLE sessions (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id         bigint NOT NULL REFERENCES users ON DELETE CASCADE,
  repo_id         bigint REFERENCES repositories ON DELETE SET NULL,
  -- Sub-agent sessions hang under their parent and go with it.
  parent_id       bigint REFERENCES sessions ON DELETE CASCADE,
  -- Set when the session runs as a workflow step (agent steps).
  workflow_run_id bigint REFERENCES workflow_runs ON DELETE SET NULL,
  directory       text,
  title           text,
  model           text,
  status          text NOT NULL DEFAULT 'idle',
  token_count     bigint NOT NULL DEFAULT 0,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  archived_at     timestamptz,
  CONSTRAINT sessions_parent_id_check CHECK (parent_id <> id),
  CONSTRAINT sessions_directory_check CHECK (char_length(directory) <= 4096),
  CONSTRAINT sessions_title_check CHECK (char_length(title) <= 255),
  CONSTRAINT sessions_model_check CHECK (char_length(model) <= 255),
  CONSTRAINT sessions_status_check CHECK (status IN ('idle', 'running', 'completed', 'failed', 'aborted')),
  CONSTRAINT sessions_token_count_check CHECK (token_count >= 0)
);
COMMENT ON TABLE sessions IS 'AI agent sessions, owned by a user, optionally on a repository or a workflow run. Owner: agent-service.';
CREATE INDEX sessions_user_id_updated_at_idx ON sessions (user_id, updated_at DESC);
CREATE INDEX sessions_repo_id_idx ON sessions (repo_id) WHERE repo_id IS NOT NULL;
CREATE INDEX sessions_parent_id_idx ON sessions (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX sessions_workflow_run_id_idx ON sessions (workflow_run_id) WHERE workflow_run_id IS NOT NULL;
CREATE TRIGGER sessions_set_updated_at BEFORE UPDATE ON sessions
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE messages (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  session_id         bigint NOT NULL REFERENCES sessions ON DELETE CASCADE,
  role               text NOT NULL,
  status             text NOT NULL DEFAULT 'pending',
  model              text,
  input_tokens       bigint NOT NULL DEFAULT 0,
  output_tokens      bigint NOT NULL DEFAULT 0,
  reasoning_tokens   bigint NOT NULL DEFAULT 0,
  cache_read_tokens  bigint NOT NULL DEFAULT 0,
  cache_write_tokens bigint NOT NULL DEFAULT 0,
  cost_usd           numeric(12,6) NOT NULL DEFAULT 0,
  error              text,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  completed_at       timestamptz,
  CONSTRAINT messages_role_check CHECK (role IN ('user', 'assistant', 'system', 'tool')),
  CONSTRAINT messages_status_check
    CHECK (status IN ('pending', 'streaming', 'completed', 'failed', 'aborted')),
  -- Finished messages (completed, failed, aborted) and only they have completed_at.
  CONSTRAINT messages_completed_at_check
    CHECK ((status IN ('completed', 'failed', 'aborted')) = (completed_at IS NOT NULL)),
  CONSTRAINT messages_model_check CHECK (char_length(model) <= 255),
  CONSTRAINT messages_tokens_check CHECK (input_tokens >= 0 AND output_tokens >= 0
    AND reasoning_tokens >= 0 AND cache_read_tokens >= 0 AND cache_write_tokens >= 0),
  CONSTRAINT messages_cost_usd_check CHECK (cost_usd >= 0)
);
COMMENT ON TABLE messages IS 'Chat messages of agent sessions with token counters and cost. Owner: agent-service.';
CREATE INDEX messages_session_id_created_at_idx ON messages (session_id, created_at);
CREATE TRIGGER messages_set_updated_at BEFORE UPDATE ON messages
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE parts (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  message_id   bigint NOT NULL REFERENCES messages ON DELETE CASCADE,
  type         text NOT NULL,
  sort_order   integer NOT NULL,
  content      jsonb NOT NULL DEFAULT '{}',
  tool_name    text,
  tool_call_id text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT parts_message_id_sort_order_key UNIQUE (message_id, sort_order),
  CONSTRAINT parts_type_check CHECK (type IN ('text', 'reasoning', 'tool_call', 'tool_result', 'file')),
  CONSTRAINT parts_sort_order_check CHECK (sort_order >= 0),
  CONSTRAINT parts_tool_check CHECK ((type NOT IN ('tool_call', 'tool_result') OR tool_call_id IS NOT NULL)
    AND (type <> 'tool_call' OR tool_name IS NOT NULL)),
  CONSTRAINT parts_tool_name_check CHECK (char_length(tool_name) <= 255),
  CONSTRAINT parts_tool_call_id_check CHECK (char_length(tool_call_id) <= 255)
);
COMMENT ON TABLE parts IS 'Ordered parts of a message: text, reasoning, tool calls and results, files. Owner: agent-service.';
CREATE TRIGGER parts_set_updated_at BEFORE UPDATE ON parts
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- Usage records outlive their user, session and message (accounting), hence SET NULL.
CREATE TABLE llm_usage (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id       bigint REFERENCES users ON DELETE SET NULL,
  session_id    bigint REFERENCES sessions ON DELETE SET NULL,
  message_id    bigint REFERENCES messages ON DELETE SET NULL,
  model         text NOT NULL,
  provider      text NOT NULL,
  input_tokens  bigint NOT NULL DEFAULT 0,
  output_tokens bigint NOT NULL DEFAULT 0,
  cost_usd      numeric(12,6) NOT NULL DEFAULT 0,
  created_at    timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT llm_usage_model_check CHECK (char_length(model) BETWEEN 1 AND 255),
  CONSTRAINT llm_usage_provider_check CHECK (char_length(provider) BETWEEN 1 AND 255),
  CONSTRAINT llm_usage_tokens_check CHECK (input_tokens >= 0 AND output_tokens >= 0),
  CONSTRAINT llm_usage_cost_usd_check CHECK (cost_usd >= 0)
);
COMMENT ON TABLE llm_usage IS 'One row per LLM call: tokens and cost, for accounting. Owner: agent-service.';
CREATE INDEX llm_usage_user_id_created_at_idx ON llm_usage (user_id, created_at);
CREATE INDEX llm_usage_session_id_idx ON llm_usage (session_id) WHERE session_id IS NOT NULL;
CREATE INDEX llm_usage_message_id_idx ON llm_usage (message_id) WHERE message_id IS NOT NULL;

-- Cross-domain: a commit status may come from a workflow run (git's table -> agent's table).
ALTER TABLE commit_statuses ADD CONSTRAINT commit_statuses_workflow_run_id_fkey
  FOREIGN KEY (workflow_run_id) REFERENCES workflow_runs ON DELETE SET NULL;

-- =============================================================================================
-- Messaging infrastructure: one schema per service (auth, git, collaboration, agent), each with
--   outbox       events written in the same transaction as the change, published to JetStream by
--                the service's relay with Nats-Msg-Id = id;
--   inbox        event ids a consumer has handled (insert first; a duplicate means "ack and skip");
--   dead_letters events a consumer gave up on after its retry limit;
--   aggregate_versions, consumer_positions, consumer_failures: event order and retry counts
--                (see db/migrations/0003_messaging_aggregate_versions.sql).
-- Only the owning service's role writes its schema (see roles and grants).
-- =============================================================================================

-- Wakes an idle outbox relay: NOTIFY on channel '<schema>_outbox' (e.g. auth_outbox), delivered
-- at commit and only if it commits. Only when no other unpublished row is visible: a transaction
-- that ran NOTIFY holds a database-wide lock through its commit, so notifying on every insert
-- serialised all producers' commits; while unpublished rows are visible the relay is draining
-- (it sleeps only after a batch that found nothing) and reads these rows too. The relay's short
-- poll covers the race in between.
CREATE FUNCTION notify_outbox() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  draining boolean;
BEGIN
  EXECUTE format(
    'SELECT EXISTS (SELECT 1 FROM %I.outbox o WHERE o.published_at IS NULL
                      AND NOT EXISTS (SELECT 1 FROM inserted i WHERE i.id = o.id))',
    TG_TABLE_SCHEMA)
    INTO draining;
  IF NOT draining THEN
    PERFORM pg_notify(TG_TABLE_SCHEMA || '_outbox', '');
  END IF;
  RETURN NULL;
END;
$$;

-- auth-service ----------------------------------------------------------------------------
CREATE SCHEMA auth;
COMMENT ON SCHEMA auth IS 'Messaging tables (outbox, inbox, dead letters) of the auth-service.';

CREATE TABLE auth.outbox (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  aggregate_type    text NOT NULL,
  aggregate_id      text NOT NULL,
  aggregate_version bigint,
  subject           text NOT NULL,
  payload           jsonb NOT NULL,
  headers           jsonb NOT NULL DEFAULT '{}',
  -- clock_timestamp(): rows of one transaction keep their insertion order.
  created_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
  published_at      timestamptz,
  publish_attempts  integer NOT NULL DEFAULT 0,
  last_error        text,
  CONSTRAINT outbox_aggregate_type_check CHECK (char_length(aggregate_type) BETWEEN 1 AND 255),
  CONSTRAINT outbox_aggregate_id_check CHECK (char_length(aggregate_id) BETWEEN 1 AND 255),
  CONSTRAINT outbox_aggregate_version_check CHECK (aggregate_version >= 0),
  CONSTRAINT outbox_subject_check
    CHECK (char_length(subject) <= 255 AND subject ~ '^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$'),
  CONSTRAINT outbox_headers_check CHECK (jsonb_typeof(headers) = 'object'),
  CONSTRAINT outbox_publish_attempts_check CHECK (publish_attempts >= 0)
);
COMMENT ON TABLE auth.outbox IS 'Transactional outbox of the auth-service; id is the Nats-Msg-Id.';
CREATE INDEX outbox_unpublished_idx ON auth.outbox (created_at) WHERE published_at IS NULL;
CREATE INDEX outbox_published_at_idx ON auth.outbox (published_at) WHERE published_at IS NOT NULL;
CREATE TRIGGER outbox_notify AFTER INSERT ON auth.outbox
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION notify_outbox();

CREATE TABLE auth.inbox (
  consumer          text NOT NULL,
  event_id          uuid NOT NULL,
  subject           text NOT NULL,
  aggregate_type    text,
  aggregate_id      text,
  aggregate_version bigint,
  received_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT inbox_pkey PRIMARY KEY (consumer, event_id),
  CONSTRAINT inbox_consumer_check CHECK (char_length(consumer) BETWEEN 1 AND 255)
);
COMMENT ON TABLE auth.inbox IS 'Events already handled by the consumers of the auth-service (idempotency).';
CREATE INDEX inbox_received_at_idx ON auth.inbox (received_at);

CREATE TABLE auth.dead_letters (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  consumer        text NOT NULL,
  event_id        uuid,
  subject         text NOT NULL,
  payload         jsonb,
  headers         jsonb NOT NULL DEFAULT '{}',
  error           text NOT NULL,
  attempts        integer NOT NULL DEFAULT 0,
  stream_sequence bigint,
  failed_at       timestamptz NOT NULL DEFAULT now(),
  resolved_at     timestamptz,
  CONSTRAINT dead_letters_consumer_check CHECK (char_length(consumer) BETWEEN 1 AND 255),
  CONSTRAINT dead_letters_headers_check CHECK (jsonb_typeof(headers) = 'object'),
  CONSTRAINT dead_letters_attempts_check CHECK (attempts >= 0)
);
COMMENT ON TABLE auth.dead_letters IS 'Events the consumers of the auth-service gave up on, kept for inspection and replay.';
CREATE INDEX dead_letters_unresolved_idx ON auth.dead_letters (consumer, failed_at) WHERE resolved_at IS NULL;
CREATE INDEX dead_letters_event_id_idx ON auth.dead_letters (event_id);

CREATE TABLE auth.aggregate_versions (
  aggregate_type text NOT NULL,
  aggregate_id   text NOT NULL,
  subject        text NOT NULL,
  version        bigint NOT NULL,
  CONSTRAINT aggregate_versions_pkey PRIMARY KEY (aggregate_type, aggregate_id, subject),
  CONSTRAINT aggregate_versions_version_check CHECK (version >= 1)
);
COMMENT ON TABLE auth.aggregate_versions IS 'Last event version the auth-service outbox allocated per aggregate and subject.';

CREATE TABLE auth.consumer_positions (
  consumer       text NOT NULL,
  aggregate_type text NOT NULL,
  aggregate_id   text NOT NULL,
  version        bigint NOT NULL,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT consumer_positions_pkey PRIMARY KEY (consumer, aggregate_type, aggregate_id),
  CONSTRAINT consumer_positions_version_check CHECK (version >= 0)
);
COMMENT ON TABLE auth.consumer_positions IS 'Last aggregate version each consumer of the auth-service applied or dead-lettered (event order).';

CREATE TABLE auth.consumer_failures (
  consumer        text NOT NULL,
  event_id        uuid NOT NULL,
  attempts        integer NOT NULL,
  last_error      text NOT NULL,
  first_failed_at timestamptz NOT NULL DEFAULT now(),
  last_failed_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT consumer_failures_pkey PRIMARY KEY (consumer, event_id),
  CONSTRAINT consumer_failures_attempts_check CHECK (attempts >= 1)
);
COMMENT ON TABLE auth.consumer_failures IS 'Failed attempts of events the consumers of the auth-service have not handled yet (the retry limit).';

-- git-service ----------------------------------------------------------------------------
CREATE SCHEMA git;
COMMENT ON SCHEMA git IS 'Messaging tables (outbox, inbox, dead letters) of the git-service.';

CREATE TABLE git.outbox (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  aggregate_type    text NOT NULL,
  aggregate_id      text NOT NULL,
  aggregate_version bigint,
  subject           text NOT NULL,
  payload           jsonb NOT NULL,
  headers           jsonb NOT NULL DEFAULT '{}',
  -- clock_timestamp(): rows of one transaction keep their insertion order.
  created_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
  published_at      timestamptz,
  publish_attempts  integer NOT NULL DEFAULT 0,
  last_error        text,
  CONSTRAINT outbox_aggregate_type_check CHECK (char_length(aggregate_type) BETWEEN 1 AND 255),
  CONSTRAINT outbox_aggregate_id_check CHECK (char_length(aggregate_id) BETWEEN 1 AND 255),
  CONSTRAINT outbox_aggregate_version_check CHECK (aggregate_version >= 0),
  CONSTRAINT outbox_subject_check
    CHECK (char_length(subject) <= 255 AND subject ~ '^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$'),
  CONSTRAINT outbox_headers_check CHECK (jsonb_typeof(headers) = 'object'),
  CONSTRAINT outbox_publish_attempts_check CHECK (publish_attempts >= 0)
);
COMMENT ON TABLE git.outbox IS 'Transactional outbox of the git-service; id is the Nats-Msg-Id.';
CREATE INDEX outbox_unpublished_idx ON git.outbox (created_at) WHERE published_at IS NULL;
CREATE INDEX outbox_published_at_idx ON git.outbox (published_at) WHERE published_at IS NOT NULL;
CREATE TRIGGER outbox_notify AFTER INSERT ON git.outbox
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION notify_outbox();

CREATE TABLE git.inbox (
  consumer          text NOT NULL,
  event_id          uuid NOT NULL,
  subject           text NOT NULL,
  aggregate_type    text,
  aggregate_id      text,
  aggregate_version bigint,
  received_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT inbox_pkey PRIMARY KEY (consumer, event_id),
  CONSTRAINT inbox_consumer_check CHECK (char_length(consumer) BETWEEN 1 AND 255)
);
COMMENT ON TABLE git.inbox IS 'Events already handled by the consumers of the git-service (idempotency).';
CREATE INDEX inbox_received_at_idx ON git.inbox (received_at);

CREATE TABLE git.dead_letters (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  consumer        text NOT NULL,
  event_id        uuid,
  subject         text NOT NULL,
  payload         jsonb,
  headers         jsonb NOT NULL DEFAULT '{}',
  error           text NOT NULL,
  attempts        integer NOT NULL DEFAULT 0,
  stream_sequence bigint,
  failed_at       timestamptz NOT NULL DEFAULT now(),
  resolved_at     timestamptz,
  CONSTRAINT dead_letters_consumer_check CHECK (char_length(consumer) BETWEEN 1 AND 255),
  CONSTRAINT dead_letters_headers_check CHECK (jsonb_typeof(headers) = 'object'),
  CONSTRAINT dead_letters_attempts_check CHECK (attempts >= 0)
);
COMMENT ON TABLE git.dead_letters IS 'Events the consumers of the git-service gave up on, kept for inspection and replay.';
CREATE INDEX dead_letters_unresolved_idx ON git.dead_letters (consumer, failed_at) WHERE resolved_at IS NULL;
CREATE INDEX dead_letters_event_id_idx ON git.dead_letters (event_id);

CREATE TABLE git.aggregate_versions (
  aggregate_type text NOT NULL,
  aggregate_id   text NOT NULL,
  subject        text NOT NULL,
  version        bigint NOT NULL,
  CONSTRAINT aggregate_versions_pkey PRIMARY KEY (aggregate_type, aggregate_id, subject),
  CONSTRAINT aggregate_versions_version_check CHECK (version >= 1)
);
COMMENT ON TABLE git.aggregate_versions IS 'Last event version the git-service outbox allocated per aggregate and subject.';

CREATE TABLE git.consumer_positions (
  consumer       text NOT NULL,
  aggregate_type text NOT NULL,
  aggregate_id   text NOT NULL,
  version        bigint NOT NULL,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT consumer_positions_pkey PRIMARY KEY (consumer, aggregate_type, aggregate_id),
  CONSTRAINT consumer_positions_version_check CHECK (version >= 0)
);
COMMENT ON TABLE git.consumer_positions IS 'Last aggregate version each consumer of the git-service applied or dead-lettered (event order).';

CREATE TABLE git.consumer_failures (
  consumer        text NOT NULL,
  event_id        uuid NOT NULL,
  attempts        integer NOT NULL,
  last_error      text NOT NULL,
  first_failed_at timestamptz NOT NULL DEFAULT now(),
  last_failed_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT consumer_failures_pkey PRIMARY KEY (consumer, event_id),
  CONSTRAINT consumer_failures_attempts_check CHECK (attempts >= 1)
);
COMMENT ON TABLE git.consumer_failures IS 'Failed attempts of events the consumers of the git-service have not handled yet (the retry limit).';

-- collaboration-service ----------------------------------------------------------------------------
CREATE SCHEMA collaboration;
COMMENT ON SCHEMA collaboration IS 'Messaging tables (outbox, inbox, dead letters) of the collaboration-service.';

CREATE TABLE collaboration.outbox (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  aggregate_type    text NOT NULL,
  aggregate_id      text NOT NULL,
  aggregate_version bigint,
  subject           text NOT NULL,
  payload           jsonb NOT NULL,
  headers           jsonb NOT NULL DEFAULT '{}',
  -- clock_timestamp(): rows of one transaction keep their insertion order.
  created_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
  published_at      timestamptz,
  publish_attempts  integer NOT NULL DEFAULT 0,
  last_error        text,
  CONSTRAINT outbox_aggregate_type_check CHECK (char_length(aggregate_type) BETWEEN 1 AND 255),
  CONSTRAINT outbox_aggregate_id_check CHECK (char_length(aggregate_id) BETWEEN 1 AND 255),
  CONSTRAINT outbox_aggregate_version_check CHECK (aggregate_version >= 0),
  CONSTRAINT outbox_subject_check
    CHECK (char_length(subject) <= 255 AND subject ~ '^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$'),
  CONSTRAINT outbox_headers_check CHECK (jsonb_typeof(headers) = 'object'),
  CONSTRAINT outbox_publish_attempts_check CHECK (publish_attempts >= 0)
);
COMMENT ON TABLE collaboration.outbox IS 'Transactional outbox of the collaboration-service; id is the Nats-Msg-Id.';
CREATE INDEX outbox_unpublished_idx ON collaboration.outbox (created_at) WHERE published_at IS NULL;
CREATE INDEX outbox_published_at_idx ON collaboration.outbox (published_at) WHERE published_at IS NOT NULL;
CREATE TRIGGER outbox_notify AFTER INSERT ON collaboration.outbox
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION notify_outbox();

CREATE TABLE collaboration.inbox (
  consumer          text NOT NULL,
  event_id          uuid NOT NULL,
  subject           text NOT NULL,
  aggregate_type    text,
  aggregate_id      text,
  aggregate_version bigint,
  received_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT inbox_pkey PRIMARY KEY (consumer, event_id),
  CONSTRAINT inbox_consumer_check CHECK (char_length(consumer) BETWEEN 1 AND 255)
);
COMMENT ON TABLE collaboration.inbox IS 'Events already handled by the consumers of the collaboration-service (idempotency).';
CREATE INDEX inbox_received_at_idx ON collaboration.inbox (received_at);

CREATE TABLE collaboration.dead_letters (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  consumer        text NOT NULL,
  event_id        uuid,
  subject         text NOT NULL,
  payload         jsonb,
  headers         jsonb NOT NULL DEFAULT '{}',
  error           text NOT NULL,
  attempts        integer NOT NULL DEFAULT 0,
  stream_sequence bigint,
  failed_at       timestamptz NOT NULL DEFAULT now(),
  resolved_at     timestamptz,
  CONSTRAINT dead_letters_consumer_check CHECK (char_length(consumer) BETWEEN 1 AND 255),
  CONSTRAINT dead_letters_headers_check CHECK (jsonb_typeof(headers) = 'object'),
  CONSTRAINT dead_letters_attempts_check CHECK (attempts >= 0)
);
COMMENT ON TABLE collaboration.dead_letters IS 'Events the consumers of the collaboration-service gave up on, kept for inspection and replay.';
CREATE INDEX dead_letters_unresolved_idx ON collaboration.dead_letters (consumer, failed_at) WHERE resolved_at IS NULL;
CREATE INDEX dead_letters_event_id_idx ON collaboration.dead_letters (event_id);

CREATE TABLE collaboration.aggregate_versions (
  aggregate_type text NOT NULL,
  aggregate_id   text NOT NULL,
  subject        text NOT NULL,
  version        bigint NOT NULL,
  CONSTRAINT aggregate_versions_pkey PRIMARY KEY (aggregate_type, aggregate_id, subject),
  CONSTRAINT aggregate_versions_version_check CHECK (version >= 1)
);
COMMENT ON TABLE collaboration.aggregate_versions IS 'Last event version the collaboration-service outbox allocated per aggregate and subject.';

CREATE TABLE collaboration.consumer_positions (
  consumer       text NOT NULL,
  aggregate_type text NOT NULL,
  aggregate_id   text NOT NULL,
  version        bigint NOT NULL,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT consumer_positions_pkey PRIMARY KEY (consumer, aggregate_type, aggregate_id),
  CONSTRAINT consumer_positions_version_check CHECK (version >= 0)
);
COMMENT ON TABLE collaboration.consumer_positions IS 'Last aggregate version each consumer of the collaboration-service applied or dead-lettered (event order).';

CREATE TABLE collaboration.consumer_failures (
  consumer        text NOT NULL,
  event_id        uuid NOT NULL,
  attempts        integer NOT NULL,
  last_error      text NOT NULL,
  first_failed_at timestamptz NOT NULL DEFAULT now(),
  last_failed_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT consumer_failures_pkey PRIMARY KEY (consumer, event_id),
  CONSTRAINT consumer_failures_attempts_check CHECK (attempts >= 1)
);
COMMENT ON TABLE collaboration.consumer_failures IS 'Failed attempts of events the consumers of the collaboration-service have not handled yet (the retry limit).';

-- agent-service ----------------------------------------------------------------------------
CREATE SCHEMA agent;
COMMENT ON SCHEMA agent IS 'Messaging tables (outbox, inbox, dead letters) of the agent-service.';

CREATE TABLE agent.outbox (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  aggregate_type    text NOT NULL,
  aggregate_id      text NOT NULL,
  aggregate_version bigint,
  subject           text NOT NULL,
  payload           jsonb NOT NULL,
  headers           jsonb NOT NULL DEFAULT '{}',
  -- clock_timestamp(): rows of one transaction keep their insertion order.
  created_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
  published_at      timestamptz,
  publish_attempts  integer NOT NULL DEFAULT 0,
  last_error        text,
  CONSTRAINT outbox_aggregate_type_check CHECK (char_length(aggregate_type) BETWEEN 1 AND 255),
  CONSTRAINT outbox_aggregate_id_check CHECK (char_length(aggregate_id) BETWEEN 1 AND 255),
  CONSTRAINT outbox_aggregate_version_check CHECK (aggregate_version >= 0),
  CONSTRAINT outbox_subject_check
    CHECK (char_length(subject) <= 255 AND subject ~ '^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$'),
  CONSTRAINT outbox_headers_check CHECK (jsonb_typeof(headers) = 'object'),
  CONSTRAINT outbox_publish_attempts_check CHECK (publish_attempts >= 0)
);
COMMENT ON TABLE agent.outbox IS 'Transactional outbox of the agent-service; id is the Nats-Msg-Id.';
CREATE INDEX outbox_unpublished_idx ON agent.outbox (created_at) WHERE published_at IS NULL;
CREATE INDEX outbox_published_at_idx ON agent.outbox (published_at) WHERE published_at IS NOT NULL;
CREATE TRIGGER outbox_notify AFTER INSERT ON agent.outbox
  REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION notify_outbox();

CREATE TABLE agent.inbox (
  consumer          text NOT NULL,
  event_id          uuid NOT NULL,
  subject           text NOT NULL,
  aggregate_type    text,
  aggregate_id      text,
  aggregate_version bigint,
  received_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT inbox_pkey PRIMARY KEY (consumer, event_id),
  CONSTRAINT inbox_consumer_check CHECK (char_length(consumer) BETWEEN 1 AND 255)
);
COMMENT ON TABLE agent.inbox IS 'Events already handled by the consumers of the agent-service (idempotency).';
CREATE INDEX inbox_received_at_idx ON agent.inbox (received_at);

CREATE TABLE agent.dead_letters (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  consumer        text NOT NULL,
  event_id        uuid,
  subject         text NOT NULL,
  payload         jsonb,
  headers         jsonb NOT NULL DEFAULT '{}',
  error           text NOT NULL,
  attempts        integer NOT NULL DEFAULT 0,
  stream_sequence bigint,
  failed_at       timestamptz NOT NULL DEFAULT now(),
  resolved_at     timestamptz,
  CONSTRAINT dead_letters_consumer_check CHECK (char_length(consumer) BETWEEN 1 AND 255),
  CONSTRAINT dead_letters_headers_check CHECK (jsonb_typeof(headers) = 'object'),
  CONSTRAINT dead_letters_attempts_check CHECK (attempts >= 0)
);
COMMENT ON TABLE agent.dead_letters IS 'Events the consumers of the agent-service gave up on, kept for inspection and replay.';
CREATE INDEX dead_letters_unresolved_idx ON agent.dead_letters (consumer, failed_at) WHERE resolved_at IS NULL;
CREATE INDEX dead_letters_event_id_idx ON agent.dead_letters (event_id);

CREATE TABLE agent.aggregate_versions (
  aggregate_type text NOT NULL,
  aggregate_id   text NOT NULL,
  subject        text NOT NULL,
  version        bigint NOT NULL,
  CONSTRAINT aggregate_versions_pkey PRIMARY KEY (aggregate_type, aggregate_id, subject),
  CONSTRAINT aggregate_versions_version_check CHECK (version >= 1)
);
COMMENT ON TABLE agent.aggregate_versions IS 'Last event version the agent-service outbox allocated per aggregate and subject.';

CREATE TABLE agent.consumer_positions (
  consumer       text NOT NULL,
  aggregate_type text NOT NULL,
  aggregate_id   text NOT NULL,
  version        bigint NOT NULL,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT consumer_positions_pkey PRIMARY KEY (consumer, aggregate_type, aggregate_id),
  CONSTRAINT consumer_positions_version_check CHECK (version >= 0)
);
COMMENT ON TABLE agent.consumer_positions IS 'Last aggregate version each consumer of the agent-service applied or dead-lettered (event order).';

CREATE TABLE agent.consumer_failures (
  consumer        text NOT NULL,
  event_id        uuid NOT NULL,
  attempts        integer NOT NULL,
  last_error      text NOT NULL,
  first_failed_at timestamptz NOT NULL DEFAULT now(),
  last_failed_at  timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT consumer_failures_pkey PRIMARY KEY (consumer, event_id),
  CONSTRAINT consumer_failures_attempts_check CHECK (attempts >= 1)
);
COMMENT ON TABLE agent.consumer_failures IS 'Failed attempts of events the consumers of the agent-service have not handled yet (the retry limit).';

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

-- What the database MCP server needs of plue_readonly, and the one write PostgreSQL left it
-- (db/migrations/0006_mcp_readonly_role.sql explains each): no large objects for PUBLIC,
-- pg_read_all_stats for db_stats, and the runner's tracking table
-- (present when the runner loads this file; `psql < db/schema.sql` has none).
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
