import { z } from 'zod';
import { actorName, Permission } from '../../auth/index.ts';
import { CrossdockError } from '../../errors/index.ts';
import { eventCountsByField, FINDING_TYPES, listEvents } from '../../store/index.ts';
import { queryInt, route } from '../route.ts';

const MINUTE_MS = 60_000;
const UNIT_MS = { m: MINUTE_MS, h: 60 * MINUTE_MS, d: 24 * 60 * MINUTE_MS } as const;
const DEFAULT_SINCE = '7d';
const DEFAULT_SETTLE = '15m';
const POLL_MS = 200;

/** `30m`, `24h`, `7d`; or a date or time (ISO 8601, UTC when no offset is given). */
const SinceText = z
  .string()
  .trim()
  .regex(
    /^(\d{1,5}[mhd]|\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)$/,
    'a duration (30m, 24h, 7d) or a date or time (2026-01-05, 2026-01-05T08:00:00Z)',
  );
const Duration = z
  .string()
  .trim()
  .regex(/^\d{1,5}[mhd]$/, 'a duration: 0m, 15m, 2h, 1d');

const ReconcileBody = z.strictObject({
  /** From when (default 7d ago). */
  since: SinceText.optional(),
  /** How far back from now the window ends (default 15m): what the packs had time to act on. */
  settle: Duration.optional(),
  /** How long to wait for the sweep to end before answering 202 with its run (default 60 s). */
  waitSeconds: z.int().min(0).max(300).optional(),
});

const durationMs = (text: string) =>
  Number(text.slice(0, -1)) * UNIT_MS[text.slice(-1) as keyof typeof UNIT_MS];

/** The window's start: now less a duration, or the date given (midnight UTC for a date alone). */
export function sinceTime(text: string, now: Date): Date {
  if (/^\d+[mhd]$/.test(text)) return new Date(now.getTime() - durationMs(text));
  const iso = text.replace(' ', 'T');
  const at = new Date(/[T]/.test(iso) && !/(Z|[+-]\d{2}:\d{2})$/.test(iso) ? `${iso}Z` : iso);
  if (Number.isNaN(at.getTime()))
    throw new CrossdockError('REQUEST_INVALID', 'The body is not valid', {
      category: 'user',
      retryable: false,
      details: [{ path: 'body.since', message: `${text} is not a date` }],
    });
  return at;
}

export const reconcileRoutes = [
  route<z.infer<typeof ReconcileBody>>({
    method: 'POST',
    path: '/api/v1/reconcile',
    tag: 'operations',
    access: Permission.exceptionsOperate,
    body: ReconcileBody,
    summary:
      'Run a reconciliation sweep of Odoo against Crossdock over [since, now - settle]: each fall-through found restarts its workflow or opens a case, once. Answers with the findings (new, and known from earlier sweeps) when the sweep ends within waitSeconds, else 202 with its run',
    auditedInTransaction: true, // the intake's entry names who asked, in the transaction that stores the request
    handler: async ({ services, body, principal, request, reply }) => {
      const { engine } = services;
      const now = engine.clock.now();
      const since = sinceTime(body.since ?? DEFAULT_SINCE, now);
      const until = new Date(now.getTime() - durationMs(body.settle ?? DEFAULT_SETTLE));
      if (since.getTime() > until.getTime())
        throw new CrossdockError('REQUEST_INVALID', 'The body is not valid', {
          category: 'user',
          retryable: false,
          details: [
            {
              path: 'body.since',
              message: `the window starts (${since.toISOString()}) after it ends (${until.toISOString()})`,
            },
          ],
        });
      const accepted = await engine.accept(
        {
          source: 'crossdock',
          type: 'reconcile.requested',
          key: `reconcile:request:${request.id}:${now.toISOString()}`,
          payload: { since: since.toISOString(), until: until.toISOString(), via: 'api' },
        },
        'engine',
        { actor: principal ? actorName(principal) : 'anonymous', requestId: request.id },
      );
      const runId = accepted.runIds[0];
      if (!runId)
        throw new CrossdockError(
          'RECONCILE_NOT_LOADED',
          'No workflow sweeps reconciliation requests: load packs/reconciliation (with an Odoo configured)',
          { category: 'user', retryable: false },
        );
      const deadline = Date.now() + (body.waitSeconds ?? 60) * 1000;
      for (;;) {
        const run = await engine.runs.show(runId);
        const ended = ['completed', 'failed', 'cancelled'].includes(run.status);
        if (ended || Date.now() >= deadline) {
          return reply
            .status(ended ? 200 : 202)
            .send({ runId, status: run.status, error: run.error, sweep: run.output ?? null });
        }
        engine.wake();
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    },
  }),
  route<undefined, { limit?: number }>({
    method: 'GET',
    path: '/api/v1/reconcile/findings',
    tag: 'operations',
    access: Permission.exceptionsRead,
    query: z.strictObject({ limit: queryInt(1, 100).optional() }),
    summary:
      'What the reconciliation sweeps have found, each finding once: how many of each type (every type listed, 0 when none), and the latest, newest first, with what was done',
    handler: async ({ services, query }) => {
      const db = services.engine.store.db;
      const [counts, latest] = await Promise.all([
        eventCountsByField(db, 'crossdock', 'reconcile.finding', 'finding'),
        listEvents(db, {
          readableSources: null,
          source: 'crossdock',
          type: 'reconcile.finding',
          limit: query.limit ?? 10,
        }),
      ]);
      const byType = Object.fromEntries(FINDING_TYPES.map((t) => [t, counts.get(t) ?? 0]));
      return {
        byType,
        total: Object.values(byType).reduce((a, b) => a + b, 0),
        latest: latest.map((e) => {
          const p = e.payload as Record<string, unknown>;
          return {
            type: p.finding,
            model: p.model,
            id: p.id,
            name: p.name,
            detail: p.detail,
            action: p.action,
            caseId: p.caseId ?? null,
            foundAt: new Date(e.received_at).toISOString(),
          };
        }),
      };
    },
  }),
];
