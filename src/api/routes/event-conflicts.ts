import { sql } from 'kysely';
import { z } from 'zod';
import { Permission } from '../../auth/index.ts';
import { decodeCursor, page } from '../pagination.ts';
import { queryInt, queryTime, route } from '../route.ts';
import { readableSources } from '../source-scope.ts';

const ListQuery = z.strictObject({
  source: z.string().max(64).optional(),
  since: queryTime.optional(),
  limit: queryInt(1, 500).optional(),
  cursor: z.string().max(200).optional(),
});

interface ConflictRow {
  id: string; event_id: string; source: string; dedupe_key: string; door: string; payload_hash: string; payload: unknown; original: unknown;
  original_hash: string | null; deliveries: number; first_seen_at: Date | string; last_seen_at: Date | string; case_id: string | null;
}

interface HeldRow {
  id: string; event_id: string; workflow_id: string; source: string; order_key: string; sequence: string; head_sequence: string | null;
  policy: string; status: string; case_id: string | null; run_id: string | null; held_at: Date | string; released_at: Date | string | null; type: string;
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
const n = <T>(v: T | undefined) => v ?? null;

/**
 * What the intake set aside: deliveries that reused a key with another payload, and events a
 * workflow did not start on because they came out of order. Filtered by the caller's sources.
 */
export const conflictRoutes = [
  route({
    method: 'GET', path: '/api/v1/events/conflicts', tag: 'events', access: Permission.eventsRead, query: ListQuery,
    summary: 'Key conflicts: deliveries that reused an event key with a different payload (newest first), with the total count',
    handler: async ({ services, query, principal }) => {
      const limit = query.limit ?? 50;
      const before = decodeCursor(query.cursor);
      const sources = readableSources(principal);
      const scope = sql`(${n(query.source)}::text IS NULL OR c.source = ${n(query.source)}::text)
        AND (${n(query.since)}::timestamptz IS NULL OR c.last_seen_at >= ${n(query.since)}::timestamptz)
        AND (${sources === null} OR c.source = ANY(${[...(sources ?? [])]}::text[]))`;
      const db = services.engine.store.db;
      const rows = await sql<ConflictRow>`
        SELECT c.*, e.payload AS original, e.payload_hash AS original_hash FROM event_key_conflicts c JOIN events e ON e.id = c.event_id
        WHERE ${scope} AND (${n(before)}::bigint IS NULL OR c.id < ${n(before)}::bigint)
        ORDER BY c.id DESC LIMIT ${limit + 1}`.execute(db);
      const totals = (await sql<{ conflicts: string | number; deliveries: string | number | null; open_cases: string | number }>`
        SELECT count(*) AS conflicts, sum(c.deliveries) AS deliveries,
               count(*) FILTER (WHERE x.status IN ('open', 'retrying')) AS open_cases
        FROM event_key_conflicts c LEFT JOIN exception_cases x ON x.id = c.case_id WHERE ${scope}`.execute(db)).rows[0]!;
      const { items, nextCursor } = page(rows.rows.map((r) => ({
        id: String(r.id), eventId: String(r.event_id), source: r.source, key: r.dedupe_key, door: r.door,
        payloadHash: r.payload_hash, payload: r.payload, originalPayloadHash: r.original_hash, originalPayload: r.original,
        deliveries: r.deliveries, firstSeenAt: iso(r.first_seen_at)!, lastSeenAt: iso(r.last_seen_at)!, caseId: r.case_id && String(r.case_id),
      })), limit);
      return { conflicts: items, nextCursor, total: Number(totals.conflicts), deliveries: Number(totals.deliveries ?? 0), openCases: Number(totals.open_cases) };
    },
  }),
  route({
    method: 'GET', path: '/api/v1/events/held', tag: 'events', access: Permission.eventsRead, query: ListQuery,
    summary: 'Events a workflow did not start on because they came out of order (skipped, parked, a case, or released later), newest first',
    handler: async ({ services, query, principal }) => {
      const limit = query.limit ?? 50;
      const before = decodeCursor(query.cursor);
      const sources = readableSources(principal);
      const rows = await sql<HeldRow>`
        SELECT h.*, e.type FROM event_order_held h JOIN events e ON e.id = h.event_id
        WHERE (${n(query.source)}::text IS NULL OR h.source = ${n(query.source)}::text)
          AND (${n(query.since)}::timestamptz IS NULL OR h.held_at >= ${n(query.since)}::timestamptz)
          AND (${sources === null} OR h.source = ANY(${[...(sources ?? [])]}::text[]))
          AND (${n(before)}::bigint IS NULL OR h.id < ${n(before)}::bigint)
        ORDER BY h.id DESC LIMIT ${limit + 1}`.execute(services.engine.store.db);
      const { items, nextCursor } = page(rows.rows.map((r) => ({
        id: String(r.id), eventId: String(r.event_id), type: r.type, workflowId: r.workflow_id, source: r.source, orderKey: r.order_key,
        sequence: r.sequence, newestSequence: r.head_sequence, policy: r.policy, status: r.status, caseId: r.case_id && String(r.case_id),
        runId: r.run_id && String(r.run_id), heldAt: iso(r.held_at)!, releasedAt: iso(r.released_at),
      })), limit);
      return { held: items, nextCursor };
    },
  }),
];
