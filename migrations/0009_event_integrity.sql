-- Event integrity: what a delivery's payload was, deliveries that reuse a key with another
-- payload, and the order of events about one business object.

-- sha256 of the payload's canonical JSON (keys sorted at every level): a second delivery with
-- the same key and another hash is a key conflict, not a duplicate. Null for events stored
-- before this migration; their hash is computed from the stored payload when needed.
ALTER TABLE events ADD COLUMN payload_hash text;

-- Deliveries that reused an event's key with a different payload. The original event stands
-- (it may have started runs already); the other payload is kept here, once per distinct
-- payload, with how often it was delivered.
CREATE TABLE event_key_conflicts (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id       bigint      NOT NULL REFERENCES events (id),
  source         text        NOT NULL,
  dedupe_key     text        NOT NULL,
  -- Which ingress it came through: api, webhook, odoo, carrier, cli.
  door           text        NOT NULL,
  payload_hash   text        NOT NULL,
  payload        jsonb       NOT NULL,
  deliveries     integer     NOT NULL DEFAULT 1,
  first_seen_at  timestamptz NOT NULL,
  last_seen_at   timestamptz NOT NULL,
  case_id        bigint      REFERENCES exception_cases (id),
  CONSTRAINT event_key_conflicts_once UNIQUE (event_id, payload_hash)
);
CREATE INDEX event_key_conflicts_recent ON event_key_conflicts (last_seen_at DESC, id DESC);
CREATE INDEX event_key_conflicts_source ON event_key_conflicts (source, last_seen_at DESC);

-- A webhook source's policy for key conflicts: 'case' opens an exception case, 'record' only records it.
ALTER TABLE webhook_sources ADD COLUMN key_conflict text NOT NULL DEFAULT 'case' CHECK (key_conflict IN ('record', 'case'));

ALTER TABLE exception_cases DROP CONSTRAINT exception_cases_type_check;
ALTER TABLE exception_cases ADD CONSTRAINT exception_cases_type_check
  CHECK (type IN ('dead_letter', 'odoo_refusal', 'raised', 'check', 'event_conflict', 'event_order'));

-- Ordering by business key (a workflow trigger's `order:`): the newest sequence acted on for each
-- business key of a source. Sequences are numbers; times are stored as microseconds since 1970.
-- The row is locked by every intake transaction that orders an event of its key.
CREATE TABLE event_order_heads (
  source      text        NOT NULL,
  order_key   text        NOT NULL,
  sequence    numeric,
  event_id    bigint      REFERENCES events (id),
  updated_at  timestamptz NOT NULL,
  PRIMARY KEY (source, order_key)
);

-- Events a workflow did not start on because they came out of order: skipped (older than one
-- already acted on), a case opened for them, or parked until their predecessor arrives (then
-- released: the run starts with the version and concurrency it would have had on arrival).
CREATE TABLE event_order_held (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id          bigint      NOT NULL REFERENCES events (id),
  workflow_id       text        NOT NULL,
  workflow_hash     text        NOT NULL,
  first_step_id     text        NOT NULL,
  concurrency_key   text,
  concurrency_limit integer,
  source            text        NOT NULL,
  order_key         text        NOT NULL,
  sequence          numeric     NOT NULL,
  -- The head when it was held: the newer sequence it lost to, or the one it waits after.
  head_sequence     numeric,
  policy            text        NOT NULL CHECK (policy IN ('skip', 'park', 'case')),
  status            text        NOT NULL CHECK (status IN ('skipped', 'parked', 'released', 'case')),
  case_id           bigint      REFERENCES exception_cases (id),
  run_id            bigint      REFERENCES runs (id),
  held_at           timestamptz NOT NULL,
  released_at       timestamptz,
  CONSTRAINT event_order_held_once UNIQUE (event_id, workflow_id)
);
CREATE INDEX event_order_parked ON event_order_held (source, order_key, sequence) WHERE status = 'parked';
CREATE INDEX event_order_recent ON event_order_held (held_at DESC, id DESC);
