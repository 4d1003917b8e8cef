-- EDI (ASC X12) with trading partners: control numbers, interchanges received, documents sent.

-- The last control number used per partner and kind: ISA13 (interchange) and GS06 (group).
-- A number is taken in the transaction that stores the document carrying it
-- (INSERT .. ON CONFLICT DO UPDATE, which locks the row), so two documents never share one,
-- a restart continues after the last one stored, and a rolled-back document leaves no gap.
CREATE TABLE edi_control_numbers (
  partner    text        NOT NULL,
  kind       text        NOT NULL CHECK (kind IN ('interchange', 'group')),
  last_value bigint      NOT NULL CHECK (last_value BETWEEN 1 AND 999999999),
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (partner, kind)
);

-- Every interchange a partner sent us, once: a repeat of (partner, sender, ISA13) is a duplicate.
CREATE TABLE edi_interchanges (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  partner     text        NOT NULL,
  -- ISA05:ISA06, as sent (the partner's qualifier and id)
  sender      text        NOT NULL,
  -- ISA13
  control     text        NOT NULL,
  received_at timestamptz NOT NULL,
  body        text        NOT NULL,
  -- accepted: every set accepted; partial: some; rejected: none (or the envelope is wrong)
  status      text        NOT NULL CHECK (status IN ('accepted', 'partial', 'rejected')),
  -- groups and sets with their control numbers and status, and every error with its location
  summary     jsonb       NOT NULL,
  CONSTRAINT edi_interchanges_once UNIQUE (partner, sender, control)
);

-- The outbox of documents to partners: 997 and TA1 acknowledgments, 855, 856, 810.
-- Status: pending -> sending (claimed) -> sent | pending again (transient failure, retried at
-- next_attempt_at) | failed (refused for good) | dead (attempts exhausted). While `sending`,
-- next_attempt_at is the claim's expiry. A document is queued once per dedupe_key.
CREATE TABLE edi_documents (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  partner             text        NOT NULL,
  dedupe_key          text        NOT NULL UNIQUE,
  -- 997, 855, 856, 810; TA1 for an interchange acknowledgment alone
  transaction_set     text        NOT NULL,
  -- what it is about, for people: the PO number, the interchange acknowledged
  reference           text,
  interchange_control bigint      NOT NULL,
  group_control       bigint,
  body                text        NOT NULL,
  status              text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'dead')),
  attempts            integer     NOT NULL DEFAULT 0,
  next_attempt_at     timestamptz NOT NULL,
  last_error_code     text,
  last_error          text,
  created_at          timestamptz NOT NULL,
  sent_at             timestamptz,
  -- whether the partner answers it with a 997 (not for 997 and TA1 themselves)
  ack_expected        boolean     NOT NULL,
  -- the partner's 997: accepted, accepted with errors, or rejected, and what it said
  ack_status          text        CHECK (ack_status IN ('accepted', 'accepted_with_errors', 'rejected')),
  acknowledged_at     timestamptz,
  ack_interchange_id  bigint      REFERENCES edi_interchanges (id),
  ack_details         jsonb,
  -- when the partner's ack window passed with no 997 and a case was asked for (once)
  ack_overdue_at      timestamptz
);
-- The dispatcher's claim: due rows, oldest first.
CREATE INDEX edi_documents_due ON edi_documents (next_attempt_at, id) WHERE status IN ('pending', 'sending');
-- The sweep for documents whose 997 is late: sent, expected, not acknowledged, not yet flagged.
CREATE INDEX edi_documents_unacknowledged ON edi_documents (partner, sent_at)
  WHERE status = 'sent' AND ack_expected AND ack_status IS NULL AND ack_overdue_at IS NULL;
-- A partner's 997 names our group control number (AK102): one document per group.
CREATE UNIQUE INDEX edi_documents_group ON edi_documents (partner, group_control) WHERE group_control IS NOT NULL;
