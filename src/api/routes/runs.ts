import { createHash } from 'node:crypto';
import { z } from 'zod';
import { Permission } from '../../auth/index.ts';
import { toRunSummary } from '../../engine/index.ts';
import { listRuns, RunStatus } from '../../store/index.ts';
import { decodeCursor, page } from '../pagination.ts';
import { queryInt, queryTime, route } from '../route.ts';
import { assertRunReadable, readableSources } from '../source-scope.ts';

const RunListQuery = z.strictObject({
  status: z.enum(Object.values(RunStatus) as [RunStatus, ...RunStatus[]]).optional(),
  workflow: z.string().max(200).optional(),
  event: z
    .string()
    .regex(/^\d{1,18}$/)
    .optional(),
  since: queryTime.optional(),
  until: queryTime.optional(),
  /** Text anywhere in the run's input (an order name, a picking, an email), case-insensitive. */
  q: z.string().trim().min(2).max(200).optional(),
  limit: queryInt(1, 1000).optional(),
  cursor: z.string().max(200).optional(),
});
const Reason = z.string().trim().min(1).max(1000);
/** `again`: side-effect steps to act again with a new idempotency key; every other step keeps its key. */
const Again = z.array(z.string().min(1).max(200)).max(100);
const ReplayBody = z
  .strictObject({
    input: z.unknown().optional(),
    fromStep: z.string().max(200).optional(),
    again: Again.optional(),
    reason: Reason.optional(),
  })
  .default({});
const ReplayPreviewBody = z
  .strictObject({ fromStep: z.string().max(200).optional(), again: Again.optional() })
  .default({});
const CancelBody = z.strictObject({ reason: Reason.optional() }).default({});
const SignalBody = z
  .strictObject({ payload: z.unknown().optional(), reason: Reason.optional() })
  .default({});

/** What the audit log keeps of a payload: itself when small, else its size and sha256. */
function auditable(value: unknown): unknown {
  const text = JSON.stringify(value ?? null);
  return text.length <= 4096
    ? (value ?? null)
    : { bytes: text.length, sha256: createHash('sha256').update(text).digest('hex') };
}

export const runRoutes = [
  route({
    method: 'GET',
    path: '/api/v1/runs',
    tag: 'runs',
    access: Permission.runsRead,
    query: RunListQuery,
    summary:
      'List runs, newest first; filter by status, workflow, event, creation time and text in the input (q); cursor pagination',
    handler: async ({ services, query, principal }) => {
      const limit = query.limit ?? 50;
      const before = decodeCursor(query.cursor);
      const sources = readableSources(principal);
      const rows = await listRuns(services.engine.store.db, {
        limit: limit + 1,
        ...(query.status ? { status: query.status } : {}),
        ...(query.workflow ? { workflowId: query.workflow } : {}),
        ...(query.event ? { eventId: query.event } : {}),
        ...(query.since ? { since: query.since } : {}),
        ...(query.until ? { until: query.until } : {}),
        ...(query.q ? { text: query.q } : {}),
        ...(before ? { beforeId: before } : {}),
        ...(sources === null ? {} : { sources }),
      });
      const { items, nextCursor } = page(rows.map(toRunSummary), limit);
      return { runs: items, nextCursor };
    },
  }),
  route({
    method: 'GET',
    path: '/api/v1/runs/:id',
    tag: 'runs',
    access: Permission.runsRead,
    summary: 'One run with its step timeline (every attempt, with output and error)',
    handler: async ({ services, params, principal }) => {
      await assertRunReadable(services.engine.store.db, principal, params.id!);
      return services.engine.runs.show(params.id!);
    },
  }),
  route({
    method: 'POST',
    path: '/api/v1/runs/:id/replay',
    tag: 'runs',
    access: Permission.runsOperate,
    body: ReplayBody,
    summary:
      'Replay a failed or cancelled run from where it stopped or from a named step, optionally with a corrected input',
    handler: async ({ services, params, body, audit, principal }) => {
      await assertRunReadable(services.engine.store.db, principal, params.id!);
      const again = body.again ?? [];
      const run = await services.engine.runs.replay(params.id!, {
        ...(body.input === undefined ? {} : { input: body.input }),
        ...(body.fromStep ? { fromStep: body.fromStep } : {}),
        again,
      });
      await audit({
        action: 'run.replay',
        target: `run:${run.id}`,
        details: {
          workflow: run.workflowId,
          fromStep: run.cursor,
          again,
          reason: body.reason ?? null,
          inputReplaced: body.input !== undefined,
          input: body.input === undefined ? null : auditable(body.input),
        },
      });
      return run;
    },
  }),
  route({
    method: 'POST',
    path: '/api/v1/runs/:id/replay/preview',
    tag: 'runs',
    access: Permission.runsOperate,
    body: ReplayPreviewBody,
    summary:
      'What a replay would do, without doing it: each side-effect step it reaches, its idempotency key, and whether the receiver sees a repeat or it acts again',
    handler: async ({ services, params, body }) =>
      services.engine.runs.previewReplay(params.id!, {
        ...(body.fromStep ? { fromStep: body.fromStep } : {}),
        again: body.again ?? [],
      }),
  }),
  route({
    method: 'POST',
    path: '/api/v1/runs/:id/cancel',
    tag: 'runs',
    access: Permission.runsOperate,
    body: CancelBody,
    summary: 'Cancel a run that has not ended',
    handler: async ({ services, params, body, audit, principal }) => {
      await assertRunReadable(services.engine.store.db, principal, params.id!);
      await services.engine.runs.cancel(params.id!, body.reason);
      const run = await services.engine.runs.show(params.id!);
      await audit({
        action: 'run.cancel',
        target: `run:${run.id}`,
        details: { workflow: run.workflowId, reason: body.reason ?? null },
      });
      return run;
    },
  }),
  route({
    method: 'POST',
    path: '/api/v1/runs/:id/signals/:name',
    tag: 'runs',
    access: Permission.runsSignal,
    body: SignalBody,
    status: 202,
    summary:
      'Send a named signal to a run (an approval decision, say); buffered if the run is not waiting yet',
    handler: async ({ services, params, body, audit, principal }) => {
      await assertRunReadable(services.engine.store.db, principal, params.id!);
      await services.engine.runs.signal(params.id!, params.name!, body.payload ?? null);
      await audit({
        action: 'run.signal',
        target: `run:${params.id}`,
        details: {
          signal: params.name,
          payload: auditable(body.payload),
          reason: body.reason ?? null,
        },
      });
      return { delivered: true };
    },
  }),
];
