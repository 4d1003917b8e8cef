/**
 * The EDI tables' one owner: control numbers (edi_control_numbers), interchanges received
 * (edi_interchanges) and the outbox of documents sent (edi_documents).
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../store/index.ts';

type Db = Kysely<Database>;
export type ControlKind = 'interchange' | 'group';
export type DocumentStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'dead';
export type AckOutcome = 'accepted' | 'accepted_with_errors' | 'rejected';

const MAX_CONTROL = 999_999_999;

/**
 * The next control number of a kind for a partner. The upsert locks the partner's row until
 * the caller's transaction ends, so concurrent documents take distinct numbers in commit
 * order; a rolled-back transaction gives its number back. After 999999999 it wraps to 1
 * (ISA13 has nine digits), a billion documents later.
 */
export async function takeControlNumber(
  tx: Db,
  partner: string,
  kind: ControlKind,
  start: number,
  now: Date,
): Promise<number> {
  const row = (
    await sql<{ last_value: string }>`
    INSERT INTO edi_control_numbers (partner, kind, last_value, updated_at)
    VALUES (${partner}, ${kind}, ${start}, ${now})
    ON CONFLICT (partner, kind) DO UPDATE SET
      last_value = CASE WHEN edi_control_numbers.last_value >= ${MAX_CONTROL} THEN 1
                        ELSE edi_control_numbers.last_value + 1 END,
      updated_at = ${now}
    RETURNING last_value`.execute(tx)
  ).rows[0]!;
  return Number(row.last_value);
}

/** The last numbers used per partner (for the operator, and for tests after a restart). */
export async function lastControlNumbers(
  db: Db,
  partner: string,
): Promise<Partial<Record<ControlKind, number>>> {
  const rows = await db
    .selectFrom('edi_control_numbers')
    .select(['kind', 'last_value'])
    .where('partner', '=', partner)
    .execute();
  return Object.fromEntries(rows.map((r) => [r.kind, Number(r.last_value)]));
}

export interface InterchangeRecord {
  partner: string;
  sender: string;
  control: string;
  body: string;
  status: 'accepted' | 'partial' | 'rejected';
  summary: unknown;
  receivedAt: Date;
}

/** Stores an interchange once per (partner, sender, ISA13); a repeat answers the first one's id. */
export async function recordInterchange(
  tx: Db,
  r: InterchangeRecord,
): Promise<{ id: string; duplicate: boolean }> {
  const inserted = await tx
    .insertInto('edi_interchanges')
    .values({
      partner: r.partner,
      sender: r.sender,
      control: r.control,
      body: r.body,
      status: r.status,
      summary: JSON.stringify(r.summary),
      received_at: r.receivedAt,
    })
    .onConflict((c) => c.constraint('edi_interchanges_once').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return { id: String(inserted.id), duplicate: false };
  const first = await tx
    .selectFrom('edi_interchanges')
    .select('id')
    .where('partner', '=', r.partner)
    .where('sender', '=', r.sender)
    .where('control', '=', r.control)
    .executeTakeFirstOrThrow();
  return { id: String(first.id), duplicate: true };
}

export async function documentByKey(db: Db, dedupeKey: string) {
  return db
    .selectFrom('edi_documents')
    .selectAll()
    .where('dedupe_key', '=', dedupeKey)
    .executeTakeFirst();
}

export interface NewDocument {
  partner: string;
  dedupeKey: string;
  transactionSet: string;
  reference: string | null;
  interchangeControl: number;
  groupControl: number | null;
  body: string;
  ackExpected: boolean;
  now: Date;
}

/** Inserts a document; null when its dedupe key is taken (the caller rolls back its numbers). */
export async function insertDocument(tx: Db, d: NewDocument): Promise<string | null> {
  const row = await tx
    .insertInto('edi_documents')
    .values({
      partner: d.partner,
      dedupe_key: d.dedupeKey,
      transaction_set: d.transactionSet,
      reference: d.reference,
      interchange_control: d.interchangeControl,
      group_control: d.groupControl,
      body: d.body,
      next_attempt_at: d.now,
      created_at: d.now,
      ack_expected: d.ackExpected,
    })
    .onConflict((c) => c.column('dedupe_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row ? String(row.id) : null;
}

export type DocumentRow = Awaited<ReturnType<typeof claimDocuments>>[number];

/**
 * Claims due documents: pending ones whose time has come and `sending` ones whose claim
 * expired (their dispatcher died mid-send). SKIP LOCKED lets several dispatchers share the
 * table; the attempt is counted at the claim, so a crash mid-send uses up one attempt.
 */
export async function claimDocuments(db: Db, now: Date, limit: number, claimMs: number) {
  const until = new Date(now.getTime() + claimMs);
  const rows = (
    await sql<{
      id: string;
      partner: string;
      dedupe_key: string;
      transaction_set: string;
      body: string;
      attempts: number;
      interchange_control: string;
    }>`
    UPDATE edi_documents d SET status = 'sending', attempts = d.attempts + 1, next_attempt_at = ${until}
    FROM (SELECT id FROM edi_documents WHERE status IN ('pending', 'sending') AND next_attempt_at <= ${now}
          ORDER BY next_attempt_at, id LIMIT ${limit} FOR UPDATE SKIP LOCKED) due
    WHERE d.id = due.id
    RETURNING d.id, d.partner, d.dedupe_key, d.transaction_set, d.body, d.attempts, d.interchange_control`.execute(
      db,
    )
  ).rows;
  return rows.map((r) => ({ ...r, id: String(r.id) }));
}

/** Settles a claimed attempt; fenced by the attempt number, so an expired claim cannot overwrite its successor. */
export async function settleDocument(
  db: Db,
  claimed: { id: string; attempts: number },
  outcome:
    | { status: 'sent'; at: Date }
    | { status: 'pending'; retryAt: Date; code: string; error: string }
    | { status: 'failed' | 'dead'; code: string; error: string },
): Promise<void> {
  const base = db
    .updateTable('edi_documents')
    .where('id', '=', claimed.id)
    .where('attempts', '=', claimed.attempts)
    .where('status', '=', 'sending');
  if (outcome.status === 'sent')
    await base
      .set({ status: 'sent', sent_at: outcome.at, last_error_code: null, last_error: null })
      .execute();
  else if (outcome.status === 'pending')
    await base
      .set({
        status: 'pending',
        next_attempt_at: outcome.retryAt,
        last_error_code: outcome.code,
        last_error: outcome.error,
      })
      .execute();
  else
    await base
      .set({ status: outcome.status, last_error_code: outcome.code, last_error: outcome.error })
      .execute();
}

/**
 * Records a partner's 997 for the document whose group control number it names. A second
 * 997 for the same group replaces what the first said (partners resend after a correction).
 */
export async function recordAcknowledgment(
  tx: Db,
  partner: string,
  groupControl: number,
  outcome: AckOutcome,
  details: unknown,
  interchangeId: string,
  now: Date,
): Promise<{ id: string; transactionSet: string } | null> {
  const row = await tx
    .updateTable('edi_documents')
    .set({
      ack_status: outcome,
      acknowledged_at: now,
      ack_interchange_id: interchangeId,
      ack_details: JSON.stringify(details),
    })
    .where('partner', '=', partner)
    .where('group_control', '=', String(groupControl))
    .where('ack_expected', '=', true)
    .returning(['id', 'transaction_set'])
    .executeTakeFirst();
  return row ? { id: String(row.id), transactionSet: row.transaction_set } : null;
}

/** Sent documents of a partner still waiting for their 997 since before `cutoff`, not yet flagged. */
export async function unacknowledgedBefore(db: Db, partner: string, cutoff: Date, limit: number) {
  return db
    .selectFrom('edi_documents')
    .select([
      'id',
      'transaction_set',
      'reference',
      'interchange_control',
      'group_control',
      'sent_at',
    ])
    .where('partner', '=', partner)
    .where('status', '=', 'sent')
    .where('ack_expected', '=', true)
    .where('ack_status', 'is', null)
    .where('ack_overdue_at', 'is', null)
    .where('sent_at', '<=', cutoff)
    .orderBy('sent_at')
    .limit(limit)
    .execute();
}

/** Marks a document's missing 997 as reported, so the sweep asks for one case only. */
export async function markAckOverdue(db: Db, id: string, now: Date): Promise<void> {
  await db.updateTable('edi_documents').set({ ack_overdue_at: now }).where('id', '=', id).execute();
}

/** Documents of a partner, newest first, for people and tests. */
export async function listDocuments(db: Db, partner: string, limit = 100) {
  return db
    .selectFrom('edi_documents')
    .select([
      'id',
      'transaction_set',
      'reference',
      'interchange_control',
      'group_control',
      'status',
      'attempts',
      'last_error_code',
      'ack_expected',
      'ack_status',
      'acknowledged_at',
      'created_at',
      'sent_at',
    ])
    .where('partner', '=', partner)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

/** The bodies of our documents of some sets about one reference (a PO number), oldest first. */
export async function documentBodiesAbout(
  db: Db,
  partner: string,
  sets: string[],
  reference: string,
): Promise<string[]> {
  const rows = await db
    .selectFrom('edi_documents')
    .select('body')
    .where('partner', '=', partner)
    .where('transaction_set', 'in', sets)
    .where('reference', '=', reference)
    .orderBy('id')
    .execute();
  return rows.map((r) => r.body);
}

/**
 * The key of the event that reports a document given up on: the document and the end of its
 * last claim (`next_attempt_at`, set by each claim and left by the settle that gave up), so
 * each end of a document, after every resend, has a key of its own.
 */
export const undeliverableKey = (id: string, lastClaimUntil: Date) =>
  `undeliverable:${id}:${lastClaimUntil.getTime()}`;

/**
 * Documents of a partner given up on (dead, or refused) whose end has no event yet. The
 * event itself is the mark (events are kept, and are unique per source and key), so a crash
 * between the report and anything after it reports nothing twice; this read reaches into
 * `events` for that, by its unique (source, dedupe_key) index.
 */
export async function undeliverableUnreported(db: Db, partner: string, limit: number) {
  const rows = (
    await sql<{
      id: string;
      transaction_set: string;
      reference: string | null;
      interchange_control: string;
      group_control: string | null;
      status: 'failed' | 'dead';
      attempts: number;
      next_attempt_at: Date;
      last_error_code: string | null;
      last_error: string | null;
    }>`
    SELECT d.id, d.transaction_set, d.reference, d.interchange_control, d.group_control, d.status,
           d.attempts, d.next_attempt_at, d.last_error_code, d.last_error
      FROM edi_documents d
     WHERE d.partner = ${partner} AND d.status IN ('failed', 'dead')
       AND NOT EXISTS (
         SELECT 1 FROM events e
          WHERE e.source = 'edi.' || d.partner
            AND e.dedupe_key = 'undeliverable:' || d.id || ':'
                               || (extract(epoch FROM d.next_attempt_at) * 1000)::bigint)
     ORDER BY d.id LIMIT ${limit}`.execute(db)
  ).rows;
  return rows.map((r) => ({
    ...r,
    id: String(r.id),
    next_attempt_at: new Date(r.next_attempt_at),
  }));
}

/**
 * Queues a document given up on again, as it was (same bytes, same ISA13 and GS06: a partner
 * that did get it after all drops it as a duplicate), with a fresh count of attempts. Only a
 * `failed` or `dead` document is changed; answers its status after the call, so a repeat
 * (the step run again) finds it `pending` or `sent` and changes nothing.
 */
export async function resendDocument(
  db: Db,
  id: string,
  now: Date,
): Promise<{ status: DocumentStatus; resent: boolean; partner: string } | null> {
  const changed = await db
    .updateTable('edi_documents')
    .set({ status: 'pending', attempts: 0, next_attempt_at: now })
    .where('id', '=', id)
    .where('status', 'in', ['failed', 'dead'])
    .returning(['status', 'partner'])
    .executeTakeFirst();
  if (changed) return { status: changed.status, resent: true, partner: changed.partner };
  const row = await db
    .selectFrom('edi_documents')
    .select(['status', 'partner'])
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? { status: row.status, resent: false, partner: row.partner } : null;
}
