import type { Kysely } from 'kysely';
import type { MailboxCasePort } from '../connectors/mail/index.ts';
import { ReasonCode, type ExceptionsService } from '../exceptions/index.ts';
import { openCaseIdsByKeyPrefix, type Database } from '../store/index.ts';

const ACTOR = { actor: 'system:mail' };

const failingPrefix = (mailbox: string) => `imap:${mailbox}:failing:`;

/**
 * The exception cases of polled mailboxes (src/connectors/mail/imap-poller.ts), for the
 * operations team: a mailbox that keeps failing (or refuses the password, at once), resolved
 * as fixed by retry when a poll succeeds again; a message that can never become an event,
 * left in the mailbox unflagged for a person to read.
 */
export class MailboxCases implements MailboxCasePort {
  constructor(private readonly o: { db: Kysely<Database>; exceptions: ExceptionsService }) {}

  async failing(f: Parameters<MailboxCasePort['failing']>[0]): Promise<void> {
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
    const open = await openCaseIdsByKeyPrefix(this.o.db, failingPrefix(mailbox));
    for (const id of open)
      await this.o.exceptions.resolve(
        id,
        ReasonCode.fixedByRetry,
        `mailbox ${mailbox} was read again`,
        ACTOR,
      );
    return open.length;
  }

  async refused(m: Parameters<MailboxCasePort['refused']>[0]): Promise<void> {
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
