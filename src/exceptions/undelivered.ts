import { sql, type Kysely } from 'kysely';
import type { Logger } from '../observability/index.ts';
import { ReasonCode } from './model.ts';
import type { ExceptionsService } from './service.ts';
import type { Database } from '../store/index.ts';

const ACTOR = { actor: 'system:notifications' };
const BATCH = 100;

interface Undelivered {
  id: string;
  channel: string;
  recipients: string[];
  subject: string;
  template: string | null;
  status: 'failed' | 'dead';
  attempts: number;
  last_error_code: string | null;
  last_error: string | null;
  dedupe_key: string;
}

/** The case of notification `id`: one per message, whatever the number of sweeps or processes. */
export const undeliveredKey = (id: string) => `notification:${id}`;

/**
 * A message the outbox gave up on (refused for good, or out of attempts) is a failure
 * someone must own: an approver who never got the request, a customer never told of a
 * delay. Each becomes an exception case for the operations team (an approval notice is
 * high severity: a decision is waiting on it). When such a message is sent again and goes
 * out, its case resolves as fixed by retry.
 *
 * The outbox and the queue are reconciled by a sweep, not in the dispatcher's transaction,
 * so a process killed in between loses nothing: the next sweep (at start, and after every
 * pass that gave up on or sent a message) finds the message without a case, or the case
 * whose message has gone.
 */
export class UndeliveredNotices {
  #sweeping: Promise<{ opened: number; resolved: number }> | null = null;
  #again = false;

  constructor(
    private readonly o: { db: Kysely<Database>; exceptions: ExceptionsService; logger: Logger },
  ) {}

  /** Sweeps now, or once more after the sweep under way; never throws (the next one tries again). */
  soon(): void {
    if (this.#sweeping) {
      this.#again = true;
      return;
    }
    this.#sweeping = this.sweep()
      .catch((error: unknown) => {
        this.o.logger.warn(
          { err: error },
          'undelivered notifications: sweep failed; the next one tries again',
        );
        return { opened: 0, resolved: 0 };
      })
      .finally(() => {
        this.#sweeping = null;
        if (this.#again) {
          this.#again = false;
          this.soon();
        }
      });
  }

  /** Waits for the sweep under way, if any (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.#sweeping) await this.#sweeping;
  }

  /** Opens the cases that are missing and resolves those whose message was sent since. */
  async sweep(): Promise<{ opened: number; resolved: number }> {
    let opened = 0;
    for (;;) {
      const rows = (
        await sql<Undelivered>`SELECT id, channel, recipients, subject, template, status, attempts, last_error_code, last_error, dedupe_key
        FROM notifications n WHERE status IN ('failed', 'dead')
          AND NOT EXISTS (SELECT 1 FROM exception_cases c WHERE c.open_key = 'notification:' || n.id::text)
        ORDER BY id LIMIT ${BATCH}`.execute(this.o.db)
      ).rows;
      for (const row of rows) if ((await this.#open(row)).created) opened++;
      if (rows.length < BATCH) break;
    }
    const sent = (
      await sql<{
        id: string;
        notification: string;
      }>`SELECT c.id, n.id AS notification FROM exception_cases c
      JOIN notifications n ON c.open_key = 'notification:' || n.id::text
      WHERE c.status IN ('open', 'retrying') AND starts_with(c.open_key, 'notification:') AND n.status = 'sent'`.execute(
        this.o.db,
      )
    ).rows;
    for (const c of sent) {
      await this.o.exceptions.resolve(
        String(c.id),
        ReasonCode.fixedByRetry,
        `notification ${c.notification} was sent`,
        ACTOR,
      );
    }
    return { opened, resolved: sent.length };
  }

  #open(n: Undelivered) {
    const id = String(n.id);
    const to = n.recipients.join(', ');
    const approval = n.dedupe_key.startsWith('approval:');
    const what = n.channel === 'email' ? `E-mail "${n.subject}" to ${to}` : `Chat message to ${to}`;
    return this.o.exceptions.openCase(
      {
        type: 'raised',
        severity: approval ? 'high' : 'medium',
        title:
          `${what} not delivered (${n.status === 'dead' ? `gave up after ${n.attempts} attempts` : 'refused'})`.slice(
            0,
            500,
          ),
        subject: { model: 'notification', id, name: to.slice(0, 500) },
        owner: { team: 'operations' },
        slaHours: approval ? 4 : 24,
        code: n.last_error_code ?? 'NOTIFICATION_UNDELIVERED',
        details: {
          notification: id,
          channel: n.channel,
          to: n.recipients,
          template: n.template,
          status: n.status,
          attempts: n.attempts,
          error: n.last_error,
          resend: `POST /api/v1/notifications/${id}/resend`,
        },
        key: undeliveredKey(id),
      },
      ACTOR,
      'raised',
    );
  }
}
