import { createHash } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import { openEventCase, type CaseEvent } from './engine-cases.ts';
import type { Database } from './schema.ts';

/**
 * sha256 of the canonical JSON (keys sorted at every level, as JSON.stringify writes values):
 * key order never changes it. Payloads are checked for depth before they get here
 * (storable-json.ts), so the recursion is bounded.
 */
export function payloadHash(payload: unknown): string {
  return createHash('sha256').update(canonical(payload)).digest('hex');
}

function canonical(value: unknown): string {
  if (Array.isArray(value))
    return `[${value.map((v) => (v === undefined ? 'null' : canonical(v))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** What to do when a delivery reuses a stored event's key with another payload. */
export interface ConflictCheck {
  /** The ingress it came through (api, webhook, odoo, carrier, cli). */
  door: string;
  /** The source's policy: also open an exception case (else only record it). */
  openCase: boolean;
}

export interface KeyConflict {
  conflictId: string;
  caseId: string | null;
  /** False when this very payload was delivered under this key before (counted, not recorded again). */
  firstTime: boolean;
}

export interface DuplicateDelivery {
  index: number;
  eventId: string;
  source: string;
  dedupeKey: string;
  payload: unknown;
  payloadHash: string;
  check: ConflictCheck | null;
}

/**
 * Compares each duplicate delivery's payload hash with the stored event's and records the
 * ones that differ, in the intake's transaction (so a conflict answered to the sender is
 * stored). Invariant: one row per (event, distinct payload); a repeat counts `deliveries`.
 */
export async function recordKeyConflicts(
  tx: Transaction<Database>,
  duplicates: DuplicateDelivery[],
  now: Date,
): Promise<{ conflicts: Map<number, KeyConflict>; caseEvents: CaseEvent[] }> {
  const conflicts = new Map<number, KeyConflict>();
  const caseEvents: CaseEvent[] = [];
  const checked = duplicates.filter((d) => d.check !== null);
  if (checked.length === 0) return { conflicts, caseEvents };
  const stored = await sql<{ id: string; payload_hash: string | null; payload: unknown }>`
    SELECT id, payload_hash, CASE WHEN payload_hash IS NULL THEN payload END AS payload FROM events WHERE id = ANY(${checked.map((d) => d.eventId)}::bigint[])`.execute(
    tx,
  );
  const hashOf = new Map(
    stored.rows.map((r) => [String(r.id), r.payload_hash ?? payloadHash(r.payload)]),
  );
  for (const d of checked) {
    if (hashOf.get(d.eventId) === d.payloadHash) continue;
    const row = (
      await sql<{ id: string; case_id: string | null; created: boolean }>`
      INSERT INTO event_key_conflicts (event_id, source, dedupe_key, door, payload_hash, payload, first_seen_at, last_seen_at)
      VALUES (${d.eventId}, ${d.source}, ${d.dedupeKey}, ${d.check!.door}, ${d.payloadHash}, ${JSON.stringify(d.payload)}::jsonb, ${now}, ${now})
      ON CONFLICT (event_id, payload_hash) DO UPDATE SET deliveries = event_key_conflicts.deliveries + 1, last_seen_at = excluded.last_seen_at
      RETURNING id, case_id, (xmax = 0) AS created`.execute(tx)
    ).rows[0]!;
    let caseId = row.case_id === null ? null : String(row.case_id);
    if (caseId === null && d.check!.openCase) {
      caseId = await openConflictCase(tx, d, String(row.id), now);
      caseEvents.push({
        caseId,
        runId: null,
        action: 'opened',
        details: { event: d.eventId, conflict: String(row.id), source: d.source, key: d.dedupeKey },
      });
    }
    conflicts.set(d.index, { conflictId: String(row.id), caseId, firstTime: row.created });
  }
  return { conflicts, caseEvents };
}

async function openConflictCase(
  tx: Transaction<Database>,
  d: DuplicateDelivery,
  conflictId: string,
  now: Date,
): Promise<string> {
  const title = `Event key ${d.dedupeKey.slice(0, 120)} from ${d.source} was delivered again with a different payload`;
  const details = {
    event: d.eventId,
    conflict: conflictId,
    source: d.source,
    key: d.dedupeKey,
    payloadHash: d.payloadHash,
  };
  const caseId = await openEventCase(
    tx,
    {
      kind: 'event_conflict',
      title,
      errorCode: 'EVENT_KEY_CONFLICT',
      workflowId: null,
      details,
      openKey: `event-conflict:${conflictId}`,
      opened: { code: 'EVENT_KEY_CONFLICT' },
    },
    now,
  );
  await sql`UPDATE event_key_conflicts SET case_id = ${caseId} WHERE id = ${conflictId}`.execute(
    tx,
  );
  return caseId;
}
