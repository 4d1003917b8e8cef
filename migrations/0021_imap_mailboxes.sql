-- Inbound e-mail by polling a mailbox over IMAP (src/connectors/mail/imap-state.ts owns it):
-- one row per configured mailbox, shared by every process on the store.
--
-- Where the mailbox was read up to: the folder's UIDVALIDITY and the highest UID whose
-- message is durably an event (and marked \Seen or moved) -- a message is taken again only
-- if it is above last_uid, so a restart takes nothing twice. A new UIDVALIDITY means the
-- server renumbered the folder: the poller reads it all again, and the events' own dedupe
-- (the Message-ID) keeps each message one event.
--
-- Who polls it now: a lease (lease_owner until lease_until), taken by an UPDATE that only
-- succeeds when the lease is free, expired or already the caller's, so two processes never
-- poll one mailbox at once.
--
-- How it is going: consecutive failures and since when (the key of their exception case),
-- the last error's code and text (never a credential), when the next attempt is due (the
-- backoff), and the last good poll.
CREATE TABLE imap_mailboxes (
  mailbox          text        PRIMARY KEY,
  uid_validity     bigint,
  last_uid         bigint      NOT NULL DEFAULT 0 CHECK (last_uid >= 0),
  messages_taken   bigint      NOT NULL DEFAULT 0,
  lease_owner      text,
  lease_until      timestamptz,
  failures         integer     NOT NULL DEFAULT 0 CHECK (failures >= 0),
  failing_since    timestamptz,
  last_error_code  text,
  last_error       text,
  next_attempt_at  timestamptz,
  last_success_at  timestamptz,
  updated_at       timestamptz NOT NULL
);
