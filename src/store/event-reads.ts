import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';

/** Reading accepted events (the API's list and detail, a case's triggering event, the events of claimed runs). Events are written only by the intake (event-queries.ts). */

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
  let query = db.selectFrom('events').select(['id', 'source', 'type', 'dedupe_key', 'payload', 'received_at', 'runs_started']).orderBy('id', 'desc').limit(f.limit);
  if (f.source !== undefined) query = query.where('source', '=', f.source);
  if (f.readableSources !== null) query = f.readableSources.length === 0 ? query.where((eb) => eb.val(false)) : query.where('source', 'in', [...f.readableSources]);
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
