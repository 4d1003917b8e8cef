-- The notification outbox: e-mail and chat messages, queued in the transaction of whatever
-- caused them (an approval level starting, a `notify` step) and delivered afterwards by the
-- dispatcher. A message is queued once per dedupe key (ON CONFLICT DO NOTHING), e.g. the
-- step's idempotency key `runId:stepId:n` or an approval notice's key.
--
-- Status: pending -> sending (claimed) -> sent | pending again (transient failure, retried
-- at next_attempt_at) | failed (refused for good, e.g. SMTP 5xx) | dead (attempts exhausted).
-- While a row is `sending`, next_attempt_at is its claim's expiry: a dispatcher that died
-- mid-send leaves it to be claimed again then (so a crash between send and mark may send
-- once more; the Message-ID derived from dedupe_key lets receivers drop the repeat).
CREATE TABLE notifications (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  dedupe_key          text        NOT NULL UNIQUE,
  channel             text        NOT NULL CHECK (channel IN ('email', 'chat')),
  -- e-mail addresses, or the name of one configured chat webhook (never its URL: a secret)
  recipients          jsonb       NOT NULL CHECK (jsonb_typeof(recipients) = 'array' AND jsonb_array_length(recipients) > 0),
  subject             text        NOT NULL DEFAULT '',
  body_text           text        NOT NULL,
  body_html           text,
  -- which template rendered it (null: inline subject/body), for the operator
  template            text,
  status              text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'dead')),
  attempts            integer     NOT NULL DEFAULT 0,
  next_attempt_at     timestamptz NOT NULL,
  -- what the last attempt said (SMTP reply, HTTP status); never a password or webhook URL
  last_error_code     text,
  last_error          text,
  -- the RFC 5322 Message-ID we sent (stable: derived from dedupe_key)
  message_id          text        NOT NULL,
  -- what the provider called it (SMTP "queued as ...", a chat API id), when it says
  provider_message_id text,
  created_at          timestamptz NOT NULL,
  sent_at             timestamptz
);
-- The dispatcher's claim: due rows, oldest first.
CREATE INDEX notifications_due ON notifications (next_attempt_at, id) WHERE status IN ('pending', 'sending');
