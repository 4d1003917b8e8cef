/**
 * What one message received for a mailbox becomes: its attachments stored, then one event
 * `mail.received` under the mailbox's source (`mail.<mailbox>`), keyed by its Message-ID (a
 * message without one by the sha256 of its bytes), so the same message delivered twice is
 * one event. Both writes are durable before this resolves; the SMTP door answers 250 only
 * then, and 451 (try again later) when either failed, so a message is never lost. A resend
 * after a failure between the two finds its attachments stored and stores the event.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/index.ts';
import { parseMail, type ParsedMail } from './mime.ts';
import { storeAttachments } from './store.ts';

export const MAIL_EVENT_TYPE = 'mail.received';

/** The text kept in the event; a longer body is cut (the workflows read references, not novels). */
export const MAIL_TEXT_MAX_CHARS = 32_000;

export interface ReceiveDeps {
  db: Kysely<Database>;
  now(): Date;
  accept(event: {
    source: string;
    type: string;
    key: string;
    payload: Record<string, unknown>;
  }): Promise<{ eventId: string; duplicate: boolean }>;
}

export interface ReceivedMail {
  source: string;
  key: string;
  eventId: string;
  duplicate: boolean;
  attachments: number;
}

export async function receiveMail(
  deps: ReceiveDeps,
  message: {
    mailbox: string;
    raw: Buffer;
    /**
     * The envelope's recipients that belong to this mailbox (SMTP); a message read from a
     * mailbox (IMAP) has no envelope, and names them from its own headers.
     */
    recipients: string[] | ((mail: ParsedMail) => string[]);
    maxAttachmentBytes: number;
  },
): Promise<ReceivedMail> {
  const mail = parseMail(message.raw);
  const source = `mail.${message.mailbox}`;
  const key = messageKeyOf(mail, message.raw);
  const attachments = await storeAttachments(deps.db, {
    source,
    key,
    parts: mail.attachments,
    maxBytes: message.maxAttachmentBytes,
    at: deps.now(),
  });
  const accepted = await deps.accept({
    source,
    type: MAIL_EVENT_TYPE,
    key,
    payload: mailPayload(
      message.mailbox,
      mail,
      typeof message.recipients === 'function' ? message.recipients(mail) : message.recipients,
      attachments,
    ),
  });
  return {
    source,
    key,
    eventId: accepted.eventId,
    duplicate: accepted.duplicate,
    attachments: attachments.length,
  };
}

/** The event's key: the Message-ID, or for a message without one the sha256 of its bytes. */
export function messageKeyOf(mail: ParsedMail, raw: Buffer): string {
  return mail.messageId ?? `sha256:${createHash('sha256').update(raw).digest('hex')}`;
}

/**
 * The event's payload: only what the message says (no time of receipt), so the same message
 * delivered again has the same payload and is a duplicate, not a key conflict.
 */
function mailPayload(
  mailbox: string,
  mail: ParsedMail,
  recipients: string[],
  attachments: Awaited<ReturnType<typeof storeAttachments>>,
): Record<string, unknown> {
  const text = mail.text.replaceAll(String.fromCharCode(0), '');
  return {
    mailbox,
    message_id: mail.messageId,
    from: mail.from ?? { name: '', address: '' },
    to: [...recipients].sort(),
    subject: mail.subject.slice(0, 1000),
    date: mail.date,
    in_reply_to: mail.headers.get('in-reply-to')?.[0] ?? null,
    text: text.slice(0, MAIL_TEXT_MAX_CHARS),
    text_truncated: text.length > MAIL_TEXT_MAX_CHARS,
    attachments,
  };
}
