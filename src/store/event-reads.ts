import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';

/**
 * Reading accepted events (the API's list and detail, a case's triggering event, the events of
 * claimed runs) and what the intake set aside (key conflicts, events held out of order). Written only by the intake:
 * event-queries.ts, event-conflicts.ts, event-order.ts.
 */

type Db = Kysely<Database>;

export interface EventListFilter {
  source?: string;
  /** The sources the reader may see; null: all. */
  readableSources: readonly string[] | null;
  type?: string;
  since?: Date;
  until?: Date;
  /** Keyset pagination: only events with a smaller id (the list is newest first). */
  beforeId?: string;
  limit: number;
}

/** Newest first. */
export async function listEvents(db: Db, f: EventListFilter) {
  let query = db
    .selectFrom('events')
    .select(['id', 'source', 'type', 'dedupe_key', 'payload', 'received_at', 'runs_started'])
    .orderBy('id', 'desc')
    .limit(f.limit);
  if (f.source !== undefined) query = query.where('source', '=', f.source);
  if (f.readableSources !== null)
    query =
      f.readableSources.length === 0
        ? query.where((eb) => eb.val(false))
        : query.where('source', 'in', [...f.readableSources]);
  if (f.type !== undefined) query = query.where('type', '=', f.type);
  if (f.since !== undefined) query = query.where('received_at', '>=', f.since);
  if (f.until !== undefined) query = query.where('received_at', '<', f.until);
  if (f.beforeId !== undefined) query = query.where('id', '<', f.beforeId);
  return query.execute();
}

export async function findEvent(db: Db, id: string) {
  return db.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The events with these ids, in no particular order (one parameter, whatever the count). */
export async function loadEvents(db: Db, ids: readonly string[]) {
  return db
    .selectFrom('events')
    .select(['id', 'source', 'type', 'dedupe_key', 'payload', 'received_at'])
    .where(sql<boolean>`id = ANY(${[...ids]}::bigint[])`)
    .execute();
}

export interface SetAsideFilter {
  source?: string;
  /** Last seen (a conflict) or held (an event out of order) at or after. */
  since?: Date;
  /** The sources the reader may see; null: all. */
  readableSources: readonly string[] | null;
  beforeId?: string;
  limit: number;
}

export interface KeyConflictRow {
  id: string;
  event_id: string;
  source: string;
  dedupe_key: string;
  door: string;
  payload_hash: string;
  payload: unknown;
  original: unknown;
  original_hash: string | null;
  deliveries: number;
  first_seen_at: Date | string;
  last_seen_at: Date | string;
  case_id: string | null;
}

const n = <T>(v: T | undefined) => v ?? null;

function conflictScope(f: SetAsideFilter) {
  const sources = f.readableSources;
  return sql`(${n(f.source)}::text IS NULL OR c.source = ${n(f.source)}::text)
    AND (${n(f.since)}::timestamptz IS NULL OR c.last_seen_at >= ${n(f.since)}::timestamptz)
    AND (${sources === null} OR c.source = ANY(${[...(sources ?? [])]}::text[]))`;
}

/** Key conflicts, newest first, each with the payload of the event it conflicts with. */
export async function listKeyConflicts(db: Db, f: SetAsideFilter): Promise<KeyConflictRow[]> {
  const rows = await sql<KeyConflictRow>`
    SELECT c.*, e.payload AS original, e.payload_hash AS original_hash FROM event_key_conflicts c JOIN events e ON e.id = c.event_id
    WHERE ${conflictScope(f)} AND (${n(f.beforeId)}::bigint IS NULL OR c.id < ${n(f.beforeId)}::bigint)
    ORDER BY c.id DESC LIMIT ${f.limit}`.execute(db);
  return rows.rows;
}

/** Over every page of the filter (beforeId and limit ignored): conflicts, deliveries, and their cases still open. */
export async function keyConflictTotals(db: Db, f: SetAsideFilter) {
  return (
    await sql<{
      conflicts: string | number;
      deliveries: string | number | null;
      open_cases: string | number;
    }>`
    SELECT count(*) AS conflicts, sum(c.deliveries) AS deliveries,
           count(*) FILTER (WHERE x.status IN ('open', 'retrying')) AS open_cases
    FROM event_key_conflicts c LEFT JOIN exception_cases x ON x.id = c.case_id WHERE ${conflictScope(f)}`.execute(
      db,
    )
  ).rows[0]!;
}

export interface HeldEventRow {
  id: string;
  event_id: string;
  workflow_id: string;
  source: string;
  order_key: string;
  sequence: string;
  head_sequence: string | null;
  policy: string;
  status: string;
  case_id: string | null;
  run_id: string | null;
  held_at: Date | string;
  released_at: Date | string | null;
  type: string;
}

/** Events held out of order, newest first, with their event type. */
export async function listHeldEvents(db: Db, f: SetAsideFilter): Promise<HeldEventRow[]> {
  const sources = f.readableSources;
  const rows = await sql<HeldEventRow>`
    SELECT h.*, e.type FROM event_order_held h JOIN events e ON e.id = h.event_id
    WHERE (${n(f.source)}::text IS NULL OR h.source = ${n(f.source)}::text)
      AND (${n(f.since)}::timestamptz IS NULL OR h.held_at >= ${n(f.since)}::timestamptz)
      AND (${sources === null} OR h.source = ANY(${[...(sources ?? [])]}::text[]))
      AND (${n(f.beforeId)}::bigint IS NULL OR h.id < ${n(f.beforeId)}::bigint)
    ORDER BY h.id DESC LIMIT ${f.limit}`.execute(db);
  return rows.rows;
}
