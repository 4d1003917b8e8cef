import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { notifyErrors } from './errors.ts';
import type { Database } from '../store/index.ts';

type Db = Kysely<Database>;

export const NotificationStatus = {
  pending: 'pending',
  sending: 'sending',
  sent: 'sent',
  failed: 'failed',
  dead: 'dead',
} as const;
export type NotificationStatus = (typeof NotificationStatus)[keyof typeof NotificationStatus];

export const Channel = { email: 'email', chat: 'chat' } as const;
export type Channel = (typeof Channel)[keyof typeof Channel];

/** What a caller queues: already rendered. */
export interface OutboxMessage {
  dedupeKey: string;
  channel: Channel;
  /** E-mail addresses, or the name of one chat webhook. */
  recipients: string[];
  subject: string;
  text: string;
  html: string | null;
  template: string | null;
}

export interface NotificationRow {
  id: string;
  dedupe_key: string;
  channel: Channel;
  recipients: string[];
  subject: string;
  body_text: string;
  body_html: string | null;
  template: string | null;
  status: NotificationStatus;
  attempts: number;
  next_attempt_at: Date;
  last_error_code: string | null;
  last_error: string | null;
  message_id: string;
  provider_message_id: string | null;
  created_at: Date;
  sent_at: Date | null;
}

/**
 * The Message-ID of a notification: derived from its dedupe key, so every attempt (and a
 * resend after a crash) carries the same one and receivers can drop the repeat.
 */
export function messageIdFor(dedupeKey: string, domain: string): string {
  return `<${createHash('sha256').update(dedupeKey).digest('hex').slice(0, 32)}.crossdock@${domain}>`;
}

/**
 * Queues a message in the caller's transaction (pass `tx`), once per dedupe key: a second
 * enqueue with the same key changes nothing and answers the first message's id.
 */
export async function enqueueNotification(
  db: Db,
  m: OutboxMessage,
  messageId: string,
  now: Date,
): Promise<{ id: string; duplicate: boolean }> {
  const inserted = (
    await sql<{ id: string }>`
    INSERT INTO notifications (dedupe_key, channel, recipients, subject, body_text, body_html, template, status, next_attempt_at, message_id, created_at)
    VALUES (${m.dedupeKey}, ${m.channel}, ${JSON.stringify(m.recipients)}::jsonb, ${m.subject}, ${m.text}, ${m.html}, ${m.template}, 'pending', ${now}, ${messageId}, ${now})
    ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`.execute(db)
  ).rows[0];
  if (inserted) return { id: String(inserted.id), duplicate: false };
  const existing = (
    await sql<{
      id: string;
    }>`SELECT id FROM notifications WHERE dedupe_key = ${m.dedupeKey}`.execute(db)
  ).rows[0]!;
  return { id: String(existing.id), duplicate: true };
}

/**
 * Claims due messages: pending ones whose time has come, and `sending` ones whose claim
 * expired (their dispatcher died mid-send). SKIP LOCKED lets several dispatchers share the
 * table. The attempt is counted at the claim, so a crash mid-send uses up one attempt.
 */
export async function claimNotifications(
  db: Db,
  now: Date,
  limit: number,
  claimMs: number,
): Promise<NotificationRow[]> {
  const until = new Date(now.getTime() + claimMs);
  const rows = (
    await sql<NotificationRow>`
    UPDATE notifications n SET status = 'sending', attempts = n.attempts + 1, next_attempt_at = ${until}
    FROM (SELECT id FROM notifications WHERE status IN ('pending', 'sending') AND next_attempt_at <= ${now}
          ORDER BY next_attempt_at, id LIMIT ${limit} FOR UPDATE SKIP LOCKED) due
    WHERE n.id = due.id RETURNING n.*`.execute(db)
  ).rows;
  return rows.map((r) => ({ ...r, id: String(r.id) }));
}

/**
 * The settle statements are fenced by the claim's attempt number: a dispatcher whose claim
 * expired and was taken over cannot overwrite the new owner's outcome.
 */
export async function markSent(
  db: Db,
  row: NotificationRow,
  now: Date,
  providerId: string | null,
  note: string | null,
): Promise<boolean> {
  const r =
    await sql`UPDATE notifications SET status = 'sent', sent_at = ${now}, provider_message_id = ${providerId},
    last_error_code = ${note === null ? null : 'NOTIFY_PARTIAL'}, last_error = ${note}
    WHERE id = ${row.id} AND status = 'sending' AND attempts = ${row.attempts}`.execute(db);
  return Number(r.numAffectedRows ?? 0) > 0;
}

export async function markRetry(
  db: Db,
  row: NotificationRow,
  at: Date,
  code: string,
  message: string,
): Promise<boolean> {
  const r =
    await sql`UPDATE notifications SET status = 'pending', next_attempt_at = ${at}, last_error_code = ${code}, last_error = ${message}
    WHERE id = ${row.id} AND status = 'sending' AND attempts = ${row.attempts}`.execute(db);
  return Number(r.numAffectedRows ?? 0) > 0;
}

export async function markGivenUp(
  db: Db,
  row: NotificationRow,
  status: 'failed' | 'dead',
  code: string,
  message: string,
): Promise<boolean> {
  const r =
    await sql`UPDATE notifications SET status = ${status}, last_error_code = ${code}, last_error = ${message}
    WHERE id = ${row.id} AND status = 'sending' AND attempts = ${row.attempts}`.execute(db);
  return Number(r.numAffectedRows ?? 0) > 0;
}

/**
 * Queues a failed or dead message again, from its first attempt, due now (an operator fixed
 * the address or the server). Its dedupe key and Message-ID stay: it is the same message.
 * The caller wakes the dispatcher (the store's wake-up reaches every process's).
 */
export async function resendNotification(db: Db, id: string, now: Date): Promise<NotificationRow> {
  if (!/^\d{1,18}$/.test(id)) throw notifyErrors.notFound(id);
  const row = (
    await sql<NotificationRow>`UPDATE notifications SET status = 'pending', attempts = 0, next_attempt_at = ${now}
    WHERE id = ${id} AND status IN ('failed', 'dead') RETURNING *`.execute(db)
  ).rows[0];
  if (row) return { ...row, id: String(row.id) };
  const found = (
    await sql<{
      status: NotificationStatus;
    }>`SELECT status FROM notifications WHERE id = ${id}`.execute(db)
  ).rows[0];
  throw found ? notifyErrors.notResendable(id, found.status) : notifyErrors.notFound(id);
}

/** What operators (and tests) see of the outbox; newest first. */
export async function listNotifications(
  db: Db,
  filter: {
    status?: NotificationStatus;
    dedupeKeyPrefix?: string;
    before?: string;
    limit?: number;
  } = {},
): Promise<NotificationRow[]> {
  const n = <T>(v: T | undefined) => v ?? null;
  const rows = (
    await sql<NotificationRow>`SELECT * FROM notifications
    WHERE (${n(filter.status)}::text IS NULL OR status = ${n(filter.status)}::text)
      AND (${n(filter.before)}::bigint IS NULL OR id < ${n(filter.before)}::bigint)
      AND (${n(filter.dedupeKeyPrefix)}::text IS NULL OR starts_with(dedupe_key, ${n(filter.dedupeKeyPrefix)}::text))
    ORDER BY id DESC LIMIT ${filter.limit ?? 100}`.execute(db)
  ).rows;
  return rows.map((r) => ({ ...r, id: String(r.id) }));
}
