-- Governed approvals: who may approve (groups, managers, Odoo users, delegations), the
-- requests a workflow's `approval` step opens, every action on them, and one-time links.

-- The approver directory beside the user accounts: business groups (sales-manager,
-- finance, director ...), each person's manager (for escalation) and Odoo user (for the
-- activity shown in Odoo).
CREATE TABLE approver_profiles (
  user_id       bigint      PRIMARY KEY REFERENCES users (id),
  groups        jsonb       NOT NULL DEFAULT '[]',
  manager_id    bigint      REFERENCES users (id),
  odoo_user_id  integer,
  updated_at    timestamptz NOT NULL,
  CHECK (manager_id IS NULL OR manager_id <> user_id)
);

-- Out of office: while active, the delegate decides on the user's behalf (recorded as such).
CREATE TABLE approval_delegations (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id       bigint      NOT NULL REFERENCES users (id),
  delegate_id   bigint      NOT NULL REFERENCES users (id),
  starts_at     timestamptz NOT NULL,
  ends_at       timestamptz NOT NULL,
  reason        text,
  created_by    text        NOT NULL,
  created_at    timestamptz NOT NULL,
  revoked_at    timestamptz,
  CHECK (user_id <> delegate_id),
  CHECK (ends_at > starts_at)
);
CREATE INDEX approval_delegations_user ON approval_delegations (user_id, ends_at) WHERE revoked_at IS NULL;

-- One request per approval step position (step_key is the step's idempotency key, so a
-- retried or recovered step finds its request instead of opening a second).
CREATE TABLE approval_requests (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  step_key           text        NOT NULL,
  run_id             bigint      NOT NULL REFERENCES runs (id),
  workflow_id        text        NOT NULL,
  subject            jsonb       NOT NULL,
  summary            text        NOT NULL,
  policy             jsonb,
  requester          text,
  conflicts          jsonb       NOT NULL DEFAULT '[]',
  chain              jsonb       NOT NULL,
  status             text        NOT NULL CHECK (status IN ('pending','approved','rejected','cancelled')),
  level              integer     NOT NULL DEFAULT 0,
  -- The current level's approvers, resolved when the level starts: [{ userId, email, via }].
  assignees          jsonb       NOT NULL DEFAULT '[]',
  level_started_at   timestamptz NOT NULL,
  level_due_at       timestamptz,
  level_reminded_at  timestamptz,
  escalations        integer     NOT NULL DEFAULT 0,
  breached           boolean     NOT NULL DEFAULT false,
  created_at         timestamptz NOT NULL,
  decided_at         timestamptz,
  decision_reason    text,
  CONSTRAINT approval_requests_step_key UNIQUE (step_key)
);
CREATE INDEX approval_requests_pending ON approval_requests (level_due_at) WHERE status = 'pending';
CREATE INDEX approval_requests_run ON approval_requests (run_id);

-- The request's history: each decision, reminder, escalation and refused attempt.
CREATE TABLE approval_actions (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  request_id    bigint      NOT NULL REFERENCES approval_requests (id),
  at            timestamptz NOT NULL,
  level         integer     NOT NULL,
  action        text        NOT NULL,
  actor         text        NOT NULL,
  user_id       bigint      REFERENCES users (id),
  on_behalf_of  bigint      REFERENCES users (id),
  via           text        NOT NULL,
  reason        text,
  details       jsonb       NOT NULL DEFAULT '{}'
);
CREATE INDEX approval_actions_request ON approval_actions (request_id, id);
-- One vote per person per level, whatever path it came by.
CREATE UNIQUE INDEX approval_actions_one_vote ON approval_actions (request_id, level, user_id)
  WHERE action IN ('approved', 'rejected');

-- One-time decision links sent by email: the token is shown once, only its sha256 is kept.
CREATE TABLE approval_links (
  token_hash    text        PRIMARY KEY,
  request_id    bigint      NOT NULL REFERENCES approval_requests (id),
  level         integer     NOT NULL,
  user_id       bigint      NOT NULL REFERENCES users (id),
  expires_at    timestamptz NOT NULL,
  used_at       timestamptz,
  created_at    timestamptz NOT NULL
);
CREATE INDEX approval_links_request ON approval_links (request_id);
