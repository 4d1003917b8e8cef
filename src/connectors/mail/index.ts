/**
 * Inbound e-mail: Crossdock's SMTP endpoint (intake.ts), the reader of the messages it
 * takes (mime.ts), what a message becomes (receive.ts: attachments stored, one
 * `mail.received` event) and the owner of the attachments' table (store.ts). Polling a
 * mailbox over IMAP is not available yet (docs/OPERATIONS.md).
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
export { MAIL_EVENT_TYPE, MAIL_TEXT_MAX_CHARS, receiveMail, type ReceivedMail } from './receive.ts';
export {
  readAttachment,
  storeAttachments,
  type AttachmentContent,
  type StoredAttachment,
} from './store.ts';
