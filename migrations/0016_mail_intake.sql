-- Inbound e-mail (src/connectors/mail): the attachments of messages received on Crossdock's
-- SMTP endpoint. The message itself is an event (source `mail.<mailbox>`, key its
-- Message-ID); its attachments are kept here, stored before the event and before the
-- sender is answered 250, and named by the event's payload (`attachments[].id`).
-- One row per attachment of a message: a resent message (same mailbox, same key) finds its
-- rows by (source, message_key, part) and stores nothing twice.
CREATE TABLE mail_attachments (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source       text        NOT NULL,
  message_key  text        NOT NULL,
  -- the attachment's position among the message's attachments, from 1
  part         integer     NOT NULL CHECK (part >= 1),
  filename     text        NOT NULL,
  content_type text        NOT NULL,
  size_bytes   integer     NOT NULL CHECK (size_bytes >= 0),
  sha256       text        NOT NULL,
  -- null when the attachment was larger than the configured limit: its name, size and
  -- digest are kept, its content is not
  content      bytea,
  received_at  timestamptz NOT NULL,
  UNIQUE (source, message_key, part)
);
