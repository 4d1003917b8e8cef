-- The recommendation log: every answer an AI provider gave (or failed to give), apart from
-- what was finally done with it, and the labelled examples people's reviews produce.

-- One row per AI recommendation. `open_key` is the step's idempotency key: a retried or
-- recovered step finds its row and does not ask the provider again.
-- outcome: applied (at or above the threshold, acted on), review (below it, a person
-- decides), fallback (no usable answer: provider down, 429 beyond retries, timeout, invalid
-- answer; the case keeps its default owner). review_status: pending while a person has not
-- decided a `review` row; accepted or overridden once one has (an `applied` row may be
-- overridden too); null for fallbacks.
CREATE TABLE ai_recommendations (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  open_key          text        NOT NULL UNIQUE,
  use               text        NOT NULL,
  case_id           bigint      REFERENCES exception_cases (id),
  run_id            bigint,
  workflow_id       text,
  -- sha256 of the redacted input: equal inputs share it
  input_hash        text        NOT NULL,
  -- the messages sent, after redaction (nothing else was sent)
  prompt            jsonb       NOT NULL,
  -- the configured model; `answered_model` is what the provider said answered
  model             text        NOT NULL,
  answered_model    text,
  response_id       text,
  -- the validated answer (category, team, action, confidence, reason), null on fallback
  answer            jsonb,
  confidence        numeric          CHECK (confidence BETWEEN 0 AND 1),
  threshold         numeric          NOT NULL CHECK (threshold BETWEEN 0 AND 1),
  outcome           text        NOT NULL CHECK (outcome IN ('applied', 'review', 'fallback')),
  error_code        text,
  error_message     text,
  latency_ms        integer     NOT NULL,
  attempts          integer     NOT NULL,
  prompt_tokens     integer,
  completion_tokens integer,
  created_at        timestamptz NOT NULL,
  -- what was finally done: by the gate (actor `ai-gate`) or a person
  review_status     text        CHECK (review_status IN ('pending', 'accepted', 'overridden')),
  final             jsonb,
  decided_by        text,
  decided_at        timestamptz,
  decision_reason   text
);
CREATE INDEX ai_recommendations_use_created ON ai_recommendations (use, created_at DESC);
CREATE INDEX ai_recommendations_pending ON ai_recommendations (use) WHERE review_status = 'pending';

-- Labelled examples: a person's decision on a recommendation (an override, or an accepted
-- review) with the redacted input it was about. The next prompts carry the newest ones; a
-- retraining reads them all.
CREATE TABLE ai_examples (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  use               text        NOT NULL,
  recommendation_id bigint      NOT NULL UNIQUE REFERENCES ai_recommendations (id),
  input_hash        text        NOT NULL,
  -- the redacted case as the model saw it
  input             text        NOT NULL,
  label             jsonb       NOT NULL,
  source            text        NOT NULL CHECK (source IN ('accepted', 'overridden')),
  labelled_by       text        NOT NULL,
  created_at        timestamptz NOT NULL
);
CREATE INDEX ai_examples_use_created ON ai_examples (use, created_at DESC);
