-- The exception queue: cases a person owns, with a type, severity, owner, SLA and history.
-- Builds on the dead-letter table of 0001: `kind` stays (run_failed | raised | check: where
-- the case came from) and every old row keeps working. The engine writes dead letters in
-- the checkpoint transaction (src/store/checkpoint-queries.ts); src/exceptions does the rest.

ALTER TABLE exception_cases
  ADD COLUMN type          text        NOT NULL DEFAULT 'dead_letter',
  ADD COLUMN severity      text        NOT NULL DEFAULT 'high',
  ADD COLUMN title         text,
  -- What the case is about: { model, id, name } (an Odoo record, a shipment ...).
  ADD COLUMN subject       jsonb,
  ADD COLUMN owner_team    text,
  ADD COLUMN owner_user_id bigint      REFERENCES users (id),
  ADD COLUMN due_at        timestamptz,
  -- The error's code, for grouping by root cause (workflow + step + code).
  ADD COLUMN error_code    text,
  ADD COLUMN workflow_id   text,
  -- The run's input when the case opened (a replay may replace the run's input later).
  ADD COLUMN input         jsonb,
  ADD COLUMN details       jsonb,
  -- Idempotency of raised and scheduled-check cases: a step's idempotency key, a check's key.
  ADD COLUMN open_key      text,
  ADD COLUMN reason_code   text,
  ADD COLUMN resolution    text,
  ADD COLUMN updated_at    timestamptz;

ALTER TABLE exception_cases DROP CONSTRAINT exception_cases_status_check;
-- retrying: the queue re-ran the run and waits for its end (completed -> resolved, failed -> open).
-- replayed: closed by a replay made outside the queue (POST /runs/:id/replay), as before.
ALTER TABLE exception_cases
  ADD CONSTRAINT exception_cases_status_check CHECK (status IN ('open', 'retrying', 'replayed', 'resolved')),
  ADD CONSTRAINT exception_cases_type_check CHECK (type IN ('dead_letter', 'odoo_refusal', 'raised', 'check')),
  ADD CONSTRAINT exception_cases_severity_check CHECK (severity IN ('low', 'medium', 'high', 'critical'));

-- Existing dead letters get what the queue shows about them.
UPDATE exception_cases c SET
  error_code = c.error->>'code',
  workflow_id = r.workflow_id,
  input = r.input,
  title = r.workflow_id || ' failed at ' || coalesce(c.step_id, 'its end'),
  due_at = c.opened_at + interval '24 hours',
  type = CASE WHEN c.error->>'category' = 'user' AND left(c.error->>'code', 5) = 'ODOO_' THEN 'odoo_refusal' ELSE 'dead_letter' END,
  severity = CASE WHEN c.error->>'category' = 'user' AND left(c.error->>'code', 5) = 'ODOO_' THEN 'medium' ELSE 'high' END,
  updated_at = coalesce(c.closed_at, c.opened_at)
FROM runs r WHERE r.id = c.run_id;
UPDATE exception_cases SET updated_at = coalesce(closed_at, opened_at) WHERE updated_at IS NULL;
ALTER TABLE exception_cases ALTER COLUMN updated_at SET NOT NULL;

-- One dead-letter case per failed run: a run that fails again after a retry reopens its case.
-- (Raised cases share their run's id, so the old "one open case per run" index goes.)
DROP INDEX exception_cases_run_open;
CREATE UNIQUE INDEX exception_cases_dead_letter ON exception_cases (run_id) WHERE kind = 'run_failed' AND status IN ('open', 'retrying');
CREATE UNIQUE INDEX exception_cases_open_key ON exception_cases (open_key) WHERE open_key IS NOT NULL;
CREATE INDEX exception_cases_run ON exception_cases (run_id);
-- The list is newest first by id (keyset pagination); each common filter has its own path.
CREATE INDEX exception_cases_status_id ON exception_cases (status, id DESC);
CREATE INDEX exception_cases_type_id ON exception_cases (type, status, id DESC);
CREATE INDEX exception_cases_workflow_id ON exception_cases (workflow_id, status, id DESC);
CREATE INDEX exception_cases_code_id ON exception_cases (error_code, status, id DESC);
CREATE INDEX exception_cases_team_id ON exception_cases (owner_team, status, id DESC);
CREATE INDEX exception_cases_user_id ON exception_cases (owner_user_id, status, id DESC);
-- Root-cause groups of open cases.
CREATE INDEX exception_cases_groups ON exception_cases (workflow_id, step_id, error_code, opened_at) WHERE status = 'open';

-- Every change to a case: opened, assigned, commented, retried, replayed, resolved, reopened,
-- failed_again, closed by the run's completion. Written in the transaction of the change.
CREATE TABLE exception_events (
  id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  case_id   bigint      NOT NULL REFERENCES exception_cases (id),
  at        timestamptz NOT NULL,
  actor     text        NOT NULL,
  action    text        NOT NULL,
  details   jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX exception_events_case ON exception_events (case_id, id);

INSERT INTO exception_events (case_id, at, actor, action, details)
SELECT id, opened_at, 'engine', 'opened', jsonb_build_object('migrated', true) FROM exception_cases;
