-- 0003 messaging aggregate versions: event order for the outbox and the consumers of every
-- service schema (auth, git, collaboration, agent), plus the consumers' failed-attempt counts.
--
--   aggregate_versions  the outbox's counter: OutboxWriter.emit upserts (aggregate, subject) and
--                       takes version + 1 in the transaction that writes the outbox row, so the
--                       versions of one aggregate and subject are gapless and in commit order.
--                       Versions count per subject because a durable consumer reads one subject:
--                       that is the sequence a consumer can check for gaps.
--   consumer_positions  per consumer and aggregate, the last version applied, dead-lettered or
--                       passed as missing (0: none yet); an event is applied only when it is the
--                       next one, and the row lock orders instances handling one aggregate.
--   consumer_failures   failed handler attempts per consumer and event, counted in the database:
--                       JetStream's delivery count also counts the redeliveries that wait for a
--                       predecessor, and the count must survive restarts and span instances.
-- Each service's role reads and writes its own tables; plue_readonly reads them (as in 0002).

SET client_min_messages = warning;

-- auth-service ------------------------------------------------------------------------
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

-- git-service -------------------------------------------------------------------------
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

-- collaboration-service ---------------------------------------------------------------
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

-- agent-service -----------------------------------------------------------------------
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

-- Grants ---------------------------------------------------------------------------------------
GRANT SELECT, INSERT, UPDATE, DELETE ON auth.aggregate_versions, auth.consumer_positions, auth.consumer_failures
  TO plue_auth;
GRANT SELECT ON auth.aggregate_versions, auth.consumer_positions, auth.consumer_failures TO plue_readonly;
GRANT SELECT, INSERT, UPDATE, DELETE ON git.aggregate_versions, git.consumer_positions, git.consumer_failures
  TO plue_git;
GRANT SELECT ON git.aggregate_versions, git.consumer_positions, git.consumer_failures TO plue_readonly;
GRANT SELECT, INSERT, UPDATE, DELETE ON collaboration.aggregate_versions, collaboration.consumer_positions, collaboration.consumer_failures
  TO plue_collaboration;
GRANT SELECT ON collaboration.aggregate_versions, collaboration.consumer_positions, collaboration.consumer_failures TO plue_readonly;
GRANT SELECT, INSERT, UPDATE, DELETE ON agent.aggregate_versions, agent.consumer_positions, agent.consumer_failures
  TO plue_agent;
GRANT SELECT ON agent.aggregate_versions, agent.consumer_positions, agent.consumer_failures TO plue_readonly;
