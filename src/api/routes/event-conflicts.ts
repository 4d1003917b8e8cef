import { z } from 'zod';
import { Permission } from '../../auth/index.ts';
import {
  keyConflictTotals,
  listHeldEvents,
  listKeyConflicts,
  type SetAsideFilter,
} from '../../store/index.ts';
import { decodeCursor, page } from '../pagination.ts';
import { queryInt, queryTime, route } from '../route.ts';
import { readableSources } from '../source-scope.ts';

const ListQuery = z.strictObject({
  source: z.string().max(64).optional(),
  since: queryTime.optional(),
  limit: queryInt(1, 500).optional(),
  cursor: z.string().max(200).optional(),
});

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

function filterOf(
  query: z.infer<typeof ListQuery>,
  readableSources: readonly string[] | null,
  limit: number,
): SetAsideFilter {
  const before = decodeCursor(query.cursor);
  return {
    readableSources,
    limit: limit + 1,
    ...(query.source === undefined ? {} : { source: query.source }),
    ...(query.since === undefined ? {} : { since: query.since }),
    ...(before === undefined ? {} : { beforeId: before }),
  };
}

/**
 * What the intake set aside: deliveries that reused a key with another payload, and events a
 * workflow did not start on because they came out of order. Filtered by the caller's sources.
 */
export const conflictRoutes = [
  route({
    method: 'GET',
    path: '/api/v1/events/conflicts',
    tag: 'events',
    access: Permission.eventsRead,
    query: ListQuery,
    summary:
      'Key conflicts: deliveries that reused an event key with a different payload (newest first), with the total count',
    handler: async ({ services, query, principal }) => {
      const limit = query.limit ?? 50;
      const filter = filterOf(query, readableSources(principal), limit);
      const db = services.engine.store.db;
      const rows = await listKeyConflicts(db, filter);
      const totals = await keyConflictTotals(db, filter);
      const { items, nextCursor } = page(
        rows.map((r) => ({
          id: String(r.id),
          eventId: String(r.event_id),
          source: r.source,
          key: r.dedupe_key,
          door: r.door,
          payloadHash: r.payload_hash,
          payload: r.payload,
          originalPayloadHash: r.original_hash,
          originalPayload: r.original,
          deliveries: r.deliveries,
          firstSeenAt: iso(r.first_seen_at)!,
          lastSeenAt: iso(r.last_seen_at)!,
          caseId: r.case_id && String(r.case_id),
        })),
        limit,
      );
      return {
        conflicts: items,
        nextCursor,
        total: Number(totals.conflicts),
        deliveries: Number(totals.deliveries ?? 0),
        openCases: Number(totals.open_cases),
      };
    },
  }),
  route({
    method: 'GET',
    path: '/api/v1/events/held',
    tag: 'events',
    access: Permission.eventsRead,
    query: ListQuery,
    summary:
      'Events a workflow did not start on because they came out of order (skipped, parked, a case, or released later), newest first',
    handler: async ({ services, query, principal }) => {
      const limit = query.limit ?? 50;
      const rows = await listHeldEvents(
        services.engine.store.db,
        filterOf(query, readableSources(principal), limit),
      );
      const { items, nextCursor } = page(
        rows.map((r) => ({
          id: String(r.id),
          eventId: String(r.event_id),
          type: r.type,
          workflowId: r.workflow_id,
          source: r.source,
          orderKey: r.order_key,
          sequence: r.sequence,
          newestSequence: r.head_sequence,
          policy: r.policy,
          status: r.status,
          caseId: r.case_id && String(r.case_id),
          runId: r.run_id && String(r.run_id),
          heldAt: iso(r.held_at)!,
          releasedAt: iso(r.released_at),
        })),
        limit,
      );
      return { held: items, nextCursor };
    },
  }),
];
