/**
 * The owner of `imap_mailboxes` (migrations/0021): per mailbox, where it was read up to
 * (UIDVALIDITY, last UID taken), who polls it now (a lease) and how polling goes (failures,
 * last error, next attempt, last success). Every process on the store shares these rows.
 */
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database } from '../../store/index.ts';

export interface MailboxState {
  mailbox: string;
  uidValidity: number | null;
  lastUid: number;
  messagesTaken: number;
  failures: number;
  failingSince: Date | null;
  lastErrorCode: string | null;
  lastError: string | null;
  nextAttemptAt: Date | null;
  lastSuccessAt: Date | null;
  leaseOwner: string | null;
  leaseUntil: Date | null;
}

const toState = (r: Selectable<Database['imap_mailboxes']>): MailboxState => ({
  mailbox: r.mailbox,
  uidValidity: r.uid_validity === null ? null : Number(r.uid_validity),
  lastUid: Number(r.last_uid),
  messagesTaken: Number(r.messages_taken),
  failures: r.failures,
  failingSince: r.failing_since && new Date(r.failing_since),
  lastErrorCode: r.last_error_code,
  lastError: r.last_error,
  nextAttemptAt: r.next_attempt_at && new Date(r.next_attempt_at),
  lastSuccessAt: r.last_success_at && new Date(r.last_success_at),
  leaseOwner: r.lease_owner,
  leaseUntil: r.lease_until && new Date(r.lease_until),
});

export class ImapMailboxStates {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Takes (or renews) the lease of `mailbox` for `owner` until `until`, if it is free,
   * expired or already the owner's; answers the mailbox's state, or null when another
   * process holds it. Invariant: one statement decides, so of two processes racing for the
   * same row exactly one UPDATE matches (the other sees the committed lease and matches none).
   */
  async claim(
    mailbox: string,
    owner: string,
    now: Date,
    until: Date,
  ): Promise<MailboxState | null> {
    await sql`INSERT INTO imap_mailboxes (mailbox, updated_at) VALUES (${mailbox}, ${now})
              ON CONFLICT (mailbox) DO NOTHING`.execute(this.db);
    const row = await this.db
      .updateTable('imap_mailboxes')
      .set({ lease_owner: owner, lease_until: until, updated_at: now })
      .where('mailbox', '=', mailbox)
      .where((w) =>
        w.or([
          w('lease_owner', 'is', null),
          w('lease_owner', '=', owner),
          w('lease_until', '<', now),
        ]),
      )
      .returningAll()
      .executeTakeFirst();
    return row ? toState(row) : null;
  }

  /** Gives the lease back (a poll ended, the process stops), if it is still the owner's. */
  async release(mailbox: string, owner: string): Promise<void> {
    await this.db
      .updateTable('imap_mailboxes')
      .set({ lease_owner: null, lease_until: null })
      .where('mailbox', '=', mailbox)
      .where('lease_owner', '=', owner)
      .execute();
  }

  /**
   * Records that the messages up to `uid` are taken (their events stored, then flagged or
   * moved). Only the lease's owner moves the mark, and only forward within one UIDVALIDITY.
   */
  async advance(
    mailbox: string,
    owner: string,
    mark: { uidValidity: number; uid: number; taken: number },
    now: Date,
  ): Promise<void> {
    await sql`UPDATE imap_mailboxes SET
        last_uid = CASE WHEN uid_validity IS DISTINCT FROM ${mark.uidValidity} THEN ${mark.uid}
                        ELSE greatest(last_uid, ${mark.uid}) END,
        uid_validity = ${mark.uidValidity},
        messages_taken = messages_taken + ${mark.taken},
        updated_at = ${now}
      WHERE mailbox = ${mailbox} AND lease_owner = ${owner}`.execute(this.db);
  }

  /** A new UIDVALIDITY: nothing of the folder is marked as taken any more (it is read again). */
  async restart(mailbox: string, owner: string, uidValidity: number, now: Date): Promise<void> {
    await this.db
      .updateTable('imap_mailboxes')
      .set({ uid_validity: uidValidity, last_uid: 0, updated_at: now })
      .where('mailbox', '=', mailbox)
      .where('lease_owner', '=', owner)
      .execute();
  }

  async succeeded(mailbox: string, now: Date, nextAttemptAt: Date): Promise<void> {
    await this.db
      .updateTable('imap_mailboxes')
      .set({
        failures: 0,
        failing_since: null,
        last_error_code: null,
        last_error: null,
        last_success_at: now,
        next_attempt_at: nextAttemptAt,
        updated_at: now,
      })
      .where('mailbox', '=', mailbox)
      .execute();
  }

  /** Answers the consecutive failures, this one included, and when the first of them was. */
  async failed(
    mailbox: string,
    error: { code: string; message: string },
    now: Date,
    nextAttemptAt: (failures: number) => Date,
  ): Promise<{ failures: number; failingSince: Date }> {
    const row = await this.db
      .updateTable('imap_mailboxes')
      .set((eb) => ({
        failures: eb('failures', '+', 1),
        failing_since: eb.fn.coalesce('failing_since', eb.val(now)),
        last_error_code: error.code,
        last_error: error.message.slice(0, 2000),
        updated_at: now,
      }))
      .where('mailbox', '=', mailbox)
      .returning(['failures', 'failing_since'])
      .executeTakeFirstOrThrow();
    await this.db
      .updateTable('imap_mailboxes')
      .set({ next_attempt_at: nextAttemptAt(row.failures) })
      .where('mailbox', '=', mailbox)
      .execute();
    return { failures: row.failures, failingSince: new Date(row.failing_since ?? now) };
  }

  async list(): Promise<MailboxState[]> {
    const rows = await this.db
      .selectFrom('imap_mailboxes')
      .selectAll()
      .orderBy('mailbox')
      .execute();
    return rows.map((r) => toState(r));
  }
}
