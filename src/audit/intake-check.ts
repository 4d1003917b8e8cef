import type { Kysely } from 'kysely';
import { loadEvents, payloadHash, type Database } from '../store/index.ts';

/** The action of the entry that covers one intake batch. */
export const INTAKE_ACTION = 'event.intake';

/** One event as its batch's entry records it: enough to find it again and check it. */
export interface CoveredEvent {
  id: string;
  source: string;
  type: string;
  key: string;
  /** sha256 of the canonical payload: a changed payload no longer matches it. */
  payloadHash: string;
  receivedAt: string;
  outcome: 'stored' | 'duplicate' | 'conflict';
  runs: string[];
  by: string;
  requestId: string | null;
}

/**
 * Checks the events an intake entry covers against the events table: each stored one must
 * still be there with the source, type, key, time and payload the entry recorded. Returns
 * what does not hold, naming the event and the entry, or null.
 */
export async function checkIntakeEntry(
  db: Kysely<Database>,
  entry: { seq: number; details: Record<string, unknown> },
): Promise<string | null> {
  const covered = ((entry.details.events ?? []) as CoveredEvent[]).filter(
    (e) => e.outcome === 'stored',
  );
  if (covered.length === 0) return null;
  const rows = new Map(
    (
      await loadEvents(
        db,
        covered.map((e) => e.id),
      )
    ).map((r) => [String(r.id), r]),
  );
  for (const e of covered) {
    const name = `event ${e.id} (${e.source}, key ${e.key}) recorded by entry ${entry.seq}`;
    const row = rows.get(e.id);
    if (!row) return `${name} was removed from the events table`;
    const altered: string[] = [];
    if (row.source !== e.source) altered.push('source');
    if (row.type !== e.type) altered.push('type');
    if (row.dedupe_key !== e.key) altered.push('key');
    if (new Date(row.received_at).toISOString() !== e.receivedAt) altered.push('received time');
    if (
      payloadHash(typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) !==
      e.payloadHash
    )
      altered.push('payload');
    if (altered.length > 0)
      return `${name} was altered: its ${altered.join(', ')} no longer match${altered.length === 1 ? 'es' : ''} the entry`;
  }
  return null;
}
