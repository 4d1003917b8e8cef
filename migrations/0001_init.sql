-- Crossdock schema, version 1. Migrations are forward-only: never edit a released file,
-- add the next number instead.

-- Accepted events. An event is acknowledged only after this row commits.
CREATE TABLE events (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source        text        NOT NULL,
  type          text        NOT NULL,
  dedupe_key    text        NOT NULL,
  payload       jsonb       NOT NULL,
  received_at   timestamptz NOT NULL,
  runs_started  integer     NOT NULL DEFAULT 0,
  -- One event per (source, key): a duplicate delivery finds this row and starts nothing.
  CONSTRAINT events_source_key UNIQUE (source, dedupe_key)
);
CREATE INDEX events_received ON events (received_at DESC, id DESC);
CREATE INDEX events_type ON events (type, received_at DESC);

-- Every workflow definition a run has been pinned to, by content hash.
CREATE TABLE workflow_versions (
  workflow_id   text        NOT NULL,
  hash          text        NOT NULL,
  definition    jsonb       NOT NULL,
  source_file   text,
  created_at    timestamptz NOT NULL,
  PRIMARY KEY (workflow_id, hash)
);

CREATE TABLE runs (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workflow_id       text        NOT NULL,
  workflow_hash     text        NOT NULL,
  event_id          bigint      REFERENCES events (id),
  parent_run_id     bigint      REFERENCES runs (id),
  parent_seq        integer,
  -- queued: admitted later (concurrency); ready: claimable at available_at;
  -- running: leased by lease_owner until lease_expires_at; waiting: timer or signal.
  status            text        NOT NULL CHECK (status IN
                      ('queued','ready','running','waiting','completed','failed','cancelled')),
  input             jsonb       NOT NULL,
  cursor            text,           -- id of the next step to execute; null when ended
  seq               integer     NOT NULL DEFAULT 0,  -- number of step checkpoints so far
  step_attempt      integer     NOT NULL DEFAULT 0,  -- failed attempts of the step at cursor
  -- A signal arrived while the run was not parked; the next park makes it due at once.
  wake_pending      boolean     NOT NULL DEFAULT false,
  output            jsonb,
  error             jsonb,
  concurrency_key   text,
  concurrency_limit integer,
  available_at      timestamptz NOT NULL,
  lease_owner       text,
  lease_expires_at  timestamptz,
  created_at        timestamptz NOT NULL,
  started_at        timestamptz,
  ended_at          timestamptz,
  updated_at        timestamptz NOT NULL,
  -- One event starts at most one run per workflow.
  CONSTRAINT runs_event_workflow UNIQUE (event_id, workflow_id),
  -- One subflow run per parent step.
  CONSTRAINT runs_parent_step UNIQUE (parent_run_id, parent_seq),
  FOREIGN KEY (workflow_id, workflow_hash) REFERENCES workflow_versions (workflow_id, hash)
);
CREATE INDEX runs_claimable ON runs (available_at) WHERE status IN ('ready', 'waiting');
CREATE INDEX runs_leases ON runs (lease_expires_at) WHERE status = 'running';
CREATE INDEX runs_queued ON runs (created_at, id) WHERE status = 'queued';
CREATE INDEX runs_workflow ON runs (workflow_id, created_at DESC);
CREATE INDEX runs_status ON runs (status, updated_at DESC);
-- Backstop for concurrency keys: at most one active run per key, whatever the admitter does.
CREATE UNIQUE INDEX runs_active_key ON runs (concurrency_key)
  WHERE concurrency_key IS NOT NULL AND status IN ('ready', 'running', 'waiting');

-- One row per step attempt: the checkpoint. A run resumes from these rows and never
-- re-executes a step that has a completed row.
CREATE TABLE run_steps (
  run_id       bigint      NOT NULL REFERENCES runs (id),
  seq          integer     NOT NULL,   -- position in the run (stable across retries)
  attempt      integer     NOT NULL,
  step_id      text        NOT NULL,
  step_type    text        NOT NULL,
  status       text        NOT NULL CHECK (status IN ('completed','failed','waiting')),
  output       jsonb,
  error        jsonb,
  started_at   timestamptz NOT NULL,
  ended_at     timestamptz NOT NULL,
  PRIMARY KEY (run_id, seq, attempt)
);

-- Signals are buffered: one sent before its run reaches the wait is kept for it.
CREATE TABLE signals (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id       bigint      NOT NULL REFERENCES runs (id),
  name         text        NOT NULL,
  payload      jsonb,
  sent_at      timestamptz NOT NULL,
  consumed_seq integer
);
CREATE INDEX signals_pending ON signals (run_id, name) WHERE consumed_seq IS NULL;

-- Dead letters: a failed run opens a case that a person owns (the exceptions module
-- builds on this table).
CREATE TABLE exception_cases (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id       bigint      REFERENCES runs (id),
  kind         text        NOT NULL,
  status       text        NOT NULL CHECK (status IN ('open','resolved','replayed')),
  step_id      text,
  error        jsonb,
  opened_at    timestamptz NOT NULL,
  closed_at    timestamptz
);
CREATE INDEX exception_cases_open ON exception_cases (opened_at) WHERE status = 'open';
CREATE UNIQUE INDEX exception_cases_run_open ON exception_cases (run_id) WHERE status = 'open';
