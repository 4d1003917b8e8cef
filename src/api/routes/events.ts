import { z } from 'zod';
import { actorName, Permission } from '../../auth/index.ts';
import { CrossdockError } from '../../errors/index.ts';
import { findEvent, listEvents } from '../../store/index.ts';
import { decodeCursor, page } from '../pagination.ts';
import { queryInt, queryTime, route } from '../route.ts';
import { readableSources } from '../source-scope.ts';
import { conflictRoutes } from './event-conflicts.ts';

const EventListQuery = z.strictObject({
  source: z.string().max(64).optional(),
  type: z.string().max(128).optional(),
  since: queryTime.optional(),
  until: queryTime.optional(),
  limit: queryInt(1, 500).optional(),
  cursor: z.string().max(200).optional(),
});

interface EventRow {
  id: string;
  source: string;
  type: string;
  dedupe_key: string;
  payload: unknown;
  received_at: Date | string;
  runs_started: number;
}
const toEvent = (r: EventRow) => ({
  id: String(r.id),
  source: r.source,
  type: r.type,
  key: r.dedupe_key,
  receivedAt: new Date(r.received_at).toISOString(),
  runsStarted: r.runs_started,
});

export const eventRoutes = [
  route<unknown>({
    method: 'POST',
    path: '/api/v1/events',
    tag: 'events',
    access: Permission.eventsSend,
    status: 202,
    summary:
      'Send an event: 202 after the durable insert (with the runs it started), 200 for a duplicate key',
    auditedInTransaction: true, // the intake's entry names this sender, in the transaction that stores the event
    handler: async ({ services, body, principal, reply, request }) => {
      const source = (body as { source?: unknown } | null)?.source;
      if (
        principal?.eventSources &&
        !(typeof source === 'string' && principal.eventSources.includes(source))
      ) {
        throw new CrossdockError(
          'EVENT_SOURCE_FORBIDDEN',
          `This token may send events only as ${principal.eventSources.join(', ')}`,
          {
            category: 'user',
            retryable: false,
            details: [{ path: 'source', message: 'not allowed for this token' }],
          },
        );
      }
      // The engine's own token (a service account minted for exactly its sources) speaks for the
      // engine; everyone else is an outside sender and may not write a reserved source.
      const door =
        principal?.kind === 'service' &&
        typeof source === 'string' &&
        principal.eventSources?.includes(source)
          ? 'engine'
          : 'api';
      let accepted;
      try {
        // The intake's audit entry names the sender (in the transaction that stores the event).
        accepted = await services.engine.accept(body, door, {
          actor: principal ? actorName(principal) : 'anonymous',
          requestId: request.id,
        });
      } catch (error) {
        services.metrics.eventRejected(
          'api',
          error instanceof CrossdockError ? error.code : 'INTERNAL',
        );
        throw error;
      }
      return reply.status(accepted.duplicate || accepted.conflict ? 200 : 202).send(accepted);
    },
  }),
  route({
    method: 'GET',
    path: '/api/v1/events',
    tag: 'events',
    access: Permission.eventsRead,
    query: EventListQuery,
    summary: 'List events, newest first; filter by source, type and time; cursor pagination',
    handler: async ({ services, query, principal }) => {
      const limit = query.limit ?? 50;
      const before = decodeCursor(query.cursor);
      const sources = readableSources(principal);
      const rows = await listEvents(services.engine.store.db, {
        readableSources: sources,
        limit: limit + 1,
        ...(query.source === undefined ? {} : { source: query.source }),
        ...(query.type === undefined ? {} : { type: query.type }),
        ...(query.since === undefined ? {} : { since: query.since }),
        ...(query.until === undefined ? {} : { until: query.until }),
        ...(before === undefined ? {} : { beforeId: before }),
      });
      const { items, nextCursor } = page(rows.map(toEvent), limit);
      return { events: items, nextCursor };
    },
  }),
  route({
    method: 'GET',
    path: '/api/v1/events/:id',
    tag: 'events',
    access: Permission.eventsRead,
    summary: 'One event with its payload and the runs it started',
    handler: async ({ services, params, principal }) => {
      const id = params.id!;
      const sources = readableSources(principal);
      const found = /^\d{1,18}$/.test(id)
        ? await findEvent(services.engine.store.db, id)
        : undefined;
      const row = found && (sources === null || sources.includes(found.source)) ? found : undefined; // another source's event is not theirs to know of
      if (!row)
        throw new CrossdockError('EVENT_NOT_FOUND', `No event ${id}`, {
          category: 'user',
          retryable: false,
        });
      return {
        ...toEvent(row),
        payload: row.payload,
        runs: await services.engine.runs.list({ eventId: id, limit: 1000 }),
      };
    },
  }),
  ...conflictRoutes,
];
