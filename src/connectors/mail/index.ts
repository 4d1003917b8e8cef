/**
 * Inbound e-mail, by two doors: Crossdock's SMTP endpoint (intake.ts) and the IMAP mailboxes
 * it polls (imap-config.ts, imap-poller.ts, imap-session.ts; their state is imap-state.ts,
 * the owner of `imap_mailboxes`). Both read messages with mime.ts and hand them to
 * receive.ts (attachments stored, one `mail.received` event keyed by the Message-ID);
 * store.ts owns the attachments' table.
 */
export {
  ipAllowed,
  mailboxOf,
  startMailIntake,
  type MailIntake,
  type MailIntakeSettings,
} from './intake.ts';
export {
  parseMail,
  parseAddresses,
  type MailAddress,
  type MailPart,
  type ParsedMail,
} from './mime.ts';
export {
  MAIL_EVENT_TYPE,
  MAIL_TEXT_MAX_CHARS,
  messageKeyOf,
  receiveMail,
  type ReceivedMail,
} from './receive.ts';
export {
  readAttachment,
  storeAttachments,
  type AttachmentContent,
  type StoredAttachment,
} from './store.ts';
export {
  loadImapMailboxes,
  parseImapMailboxes,
  AfterIntake,
  type ImapMailbox,
} from './imap-config.ts';
export { imapError } from './imap-errors.ts';
export { registerImapMetrics } from './imap-metrics.ts';
export {
  ImapPoller,
  type ImapPollerDeps,
  type MailboxCasePort,
  type PollResult,
} from './imap-poller.ts';
export { headerRecipients, type SessionOutcome } from './imap-session.ts';
export { ImapMailboxStates, type MailboxState } from './imap-state.ts';
