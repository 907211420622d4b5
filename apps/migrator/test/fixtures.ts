/**
 * A small schema written twice, as db/schema.sql (baseline 0002) and as migrations, covering what
 * verify compares: enum, table with identity/defaults/constraints, index, function, trigger, grant.
 */
export const migration0001 = `-- Users and their trigger.
CREATE TYPE user_state AS ENUM ('active', 'blocked');

CREATE TABLE users (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  username text NOT NULL,
  state user_state NOT NULL DEFAULT 'active',
  is_active boolean NOT NULL DEFAULT true,
  bio text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT users_username_length CHECK (char_length(username) BETWEEN 1 AND 40)
);

CREATE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now(); -- a ; inside the body
  RETURN NEW;
END;
$$;

CREATE TRIGGER users_set_updated_at BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION set_updated_at();
`;

export const migration0002 = `-- migrate:no-transaction
-- Built concurrently, as it would be on a busy production table.
CREATE UNIQUE INDEX CONCURRENTLY users_username_lower_key ON users (lower(username));
GRANT SELECT ON users TO PUBLIC;
`;

export const migration0003 = `CREATE TABLE posts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  body text NOT NULL DEFAULT ''
);
CREATE INDEX posts_user_id_idx ON posts (user_id);
`;

export const schemaSql = `-- The schema as of migration 0002.
-- migrate:baseline 0002

CREATE TYPE user_state AS ENUM ('active', 'blocked');

CREATE TABLE users (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  username text NOT NULL,
  state user_state NOT NULL DEFAULT 'active',
  is_active boolean NOT NULL DEFAULT true,
  bio text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT users_username_length CHECK (char_length(username) BETWEEN 1 AND 40)
);
CREATE UNIQUE INDEX users_username_lower_key ON users (lower(username));
GRANT SELECT ON users TO PUBLIC;
COMMENT ON TABLE users IS 'loaded from schema.sql';

CREATE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now(); -- a ; inside the body
  RETURN NEW;
END;
$$;

CREATE TRIGGER users_set_updated_at BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION set_updated_at();
`;

/** schema.sql and 0001–0002, consistent; 0003 comes later and is not in the baseline. */
export const consistentFiles = {
  'schema.sql': schemaSql,
  'migrations/0001_create_users.sql': migration0001,
  'migrations/0002_users_username_index.sql': migration0002,
};

export const withPosts = { ...consistentFiles, 'migrations/0003_create_posts.sql': migration0003 };
