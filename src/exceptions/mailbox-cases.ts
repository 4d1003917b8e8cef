import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/index.ts';
import { ReasonCode } from './model.ts';
import type { ExceptionsService } from './service.ts';

const ACTOR = { actor: 'system:mail' };

/** A mailbox Crossdock cannot read: one case per run of failures (its key names when it began). */
export interface MailboxFailing {
  mailbox: string;
  host: string;
  user: string;
  folder: string;
  failingSince: Date;
  failures: number;
  code: string;
  message: string;
}

/** A message refused for good (a trigger's schema, too large): one case per message. */
export interface MessageRefused {
  mailbox: string;
  folder: string;
  uidValidity: number;
  uid: number;
  subject: string;
  messageKey: string;
  code: string;
  message: string;
}

const failingPrefix = (mailbox: string) => `imap:${mailbox}:failing:`;

/**
 * The exception cases of polled mailboxes (src/connectors/mail/imap-poller.ts), for the
 * operations team: a mailbox that keeps failing (or refuses the password, at once), resolved
 * as fixed by retry when a poll succeeds again; a message that can never become an event,
 * left in the mailbox unflagged for a person to read.
 */
export class MailboxCases {
  constructor(private readonly o: { db: Kysely<Database>; exceptions: ExceptionsService }) {}

  async failing(f: MailboxFailing): Promise<void> {
    const auth = f.code === 'IMAP_AUTH_FAILED';
    await this.o.exceptions.openCase(
      {
        type: 'raised',
        severity: auth ? 'high' : 'medium',
        title: `Mailbox ${f.mailbox} (${f.user} on ${f.host}) cannot be read: ${f.code}`,
        subject: { model: 'mailbox', id: f.mailbox, name: `${f.user}/${f.folder}`.slice(0, 500) },
        owner: { team: 'operations' },
        slaHours: auth ? 4 : 24,
        code: f.code,
        details: {
          mailbox: f.mailbox,
          host: f.host,
          user: f.user,
          folder: f.folder,
          failures: f.failures,
          failing_since: f.failingSince.toISOString(),
          error: f.message,
          messages: 'wait in the mailbox; nothing is lost while it cannot be read',
        },
        key: `${failingPrefix(f.mailbox)}${f.failingSince.toISOString()}`,
      },
      ACTOR,
      'raised',
    );
  }

  /** Resolves the mailbox's open failure cases: a poll succeeded. */
  async recovered(mailbox: string): Promise<number> {
    const open = (
      await sql<{ id: string }>`SELECT id::text AS id FROM exception_cases
        WHERE starts_with(open_key, ${failingPrefix(mailbox)}) AND status IN ('open', 'retrying')`.execute(
        this.o.db,
      )
    ).rows;
    for (const c of open)
      await this.o.exceptions.resolve(
        c.id,
        ReasonCode.fixedByRetry,
        `mailbox ${mailbox} was read again`,
        ACTOR,
      );
    return open.length;
  }

  async refused(m: MessageRefused): Promise<void> {
    await this.o.exceptions.openCase(
      {
        type: 'raised',
        severity: 'medium',
        title: `E-mail "${m.subject}" in mailbox ${m.mailbox} refused: ${m.code}`.slice(0, 500),
        subject: { model: 'mailbox', id: m.mailbox, name: m.folder.slice(0, 500) },
        owner: { team: 'operations' },
        slaHours: 24,
        code: m.code,
        details: {
          mailbox: m.mailbox,
          folder: m.folder,
          uid: m.uid,
          uid_validity: m.uidValidity,
          message: m.messageKey,
          error: m.message,
          left: 'in the folder, not flagged and not moved',
        },
        key: `imap:${m.mailbox}:refused:${m.uidValidity}:${m.uid}`,
      },
      ACTOR,
      'raised',
    );
  }
}
