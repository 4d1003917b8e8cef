import { sql } from 'kysely';
import { z } from 'zod';
import { Permission } from '../../auth/index.ts';
import { CrossdockError } from '../../errors/index.ts';
import { queryTime, route } from '../route.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
export const KpiBucket = { '1m': MINUTE_MS, '5m': 5 * MINUTE_MS, '15m': 15 * MINUTE_MS, '1h': HOUR_MS, '6h': 6 * HOUR_MS, '1d': 24 * HOUR_MS } as const;
export type KpiBucket = keyof typeof KpiBucket;
const KpiSpan = { '1h': HOUR_MS, '24h': 24 * HOUR_MS, '7d': 7 * 24 * HOUR_MS } as const;
const MAX_BUCKETS = 1000;

const KpiQuery = z.strictObject({
  from: queryTime.optional(),
  to: queryTime.optional(),
  /** Instead of `from`: this much before `to` (which defaults to the server's now). */
  last: z.enum(Object.keys(KpiSpan) as [keyof typeof KpiSpan, ...(keyof typeof KpiSpan)[]]).optional(),
  bucket: z.enum(Object.keys(KpiBucket) as [KpiBucket, ...KpiBucket[]]).optional(),
});

/** Open exception cases by how long they have been open. */
const AGE_BUCKETS = [
  { label: '< 1 h', underMs: HOUR_MS },
  { label: '1-4 h', underMs: 4 * HOUR_MS },
  { label: '4-24 h', underMs: 24 * HOUR_MS },
  { label: '> 24 h', underMs: null },
] as const;

interface Series { b: number; n: number | string }

/** Counts per bucket as a dense array (zero where nothing happened). */
function dense(rows: Series[], buckets: number): number[] {
  const out = new Array<number>(buckets).fill(0);
  for (const r of rows) if (r.b >= 0 && r.b < buckets) out[r.b] = Number(r.n);
  return out;
}

/**
 * The overview's aggregates, computed in SQL. Each query has an index to walk:
 * events by received_at (events_received), ended runs by (status, updated_at) (runs_status;
 * a terminal run's updated_at is when it ended), pending approvals (approval_requests_pending),
 * open cases (exception_cases_open). Runs by state is the runs active now (few, found through
 * runs_status) plus those that ended in the range: never a count over every run ever made.
 */
export const kpiRoutes = [
  route({
    method: 'GET', path: '/api/v1/kpis', tag: 'metrics', access: Permission.runsRead, query: KpiQuery,
    summary: 'Dashboard KPIs over a time range: events per bucket and per second, runs by state (active now, ended in the range), ended runs and error rate, approvals waiting and breached, open exceptions by age',
    handler: async ({ services, query }) => {
      const now = services.engine.clock.now();
      const to = query.to ?? now;
      const from = query.from ?? new Date(to.getTime() - KpiSpan[query.last ?? '24h']);
      const bucket = query.bucket ?? (to.getTime() - from.getTime() <= 2 * HOUR_MS ? '1m' : to.getTime() - from.getTime() <= 2 * 24 * HOUR_MS ? '15m' : '6h');
      const bucketMs = KpiBucket[bucket];
      const buckets = Math.ceil((to.getTime() - from.getTime()) / bucketMs);
      if (buckets < 1 || buckets > MAX_BUCKETS) {
        throw new CrossdockError('REQUEST_INVALID', 'The query is not valid', { category: 'user', retryable: false, details: [{ path: 'query.bucket', message: `from..to must be later than from and span 1 to ${MAX_BUCKETS} buckets of ${bucket}` }] });
      }
      const db = services.engine.store.db;
      const slot = (column: string) => sql<number>`floor((extract(epoch FROM ${sql.ref(column)}) * 1000 - ${from.getTime()}::float8) / ${bucketMs}::float8)::int`;
      const [events, ended, byStatus, approvals, exceptions] = await Promise.all([
        sql<Series>`SELECT ${slot('received_at')} AS b, count(*) AS n FROM events WHERE received_at >= ${from} AND received_at < ${to} GROUP BY 1`.execute(db),
        sql<Series & { status: string }>`SELECT status, ${slot('updated_at')} AS b, count(*) AS n FROM runs
          WHERE status IN ('completed', 'failed', 'cancelled') AND updated_at >= ${from} AND updated_at < ${to} GROUP BY 1, 2`.execute(db),
        sql<{ status: string; n: number | string }>`SELECT status, count(*) AS n FROM runs WHERE status IN ('queued', 'ready', 'running', 'waiting') GROUP BY status`.execute(db),
        sql<{ waiting: number | string; breached: number | string }>`SELECT count(*) AS waiting, count(*) FILTER (WHERE breached OR level_due_at < ${now}) AS breached
          FROM approval_requests WHERE status = 'pending'`.execute(db),
        sql<{ age_ms: number | string }>`SELECT (extract(epoch FROM (${now}::timestamptz - opened_at)) * 1000)::float8 AS age_ms
          FROM exception_cases WHERE status IN ('open', 'retrying')`.execute(db),
      ]);
      const eventSeries = dense(events.rows, buckets);
      const completed = dense(ended.rows.filter((r) => r.status === 'completed'), buckets);
      const failed = dense(ended.rows.filter((r) => r.status === 'failed'), buckets);
      const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
      const eventsTotal = sum(eventSeries);
      const completedTotal = sum(completed);
      const failedTotal = sum(failed);
      const runsByStatus: Record<string, number> = { queued: 0, ready: 0, running: 0, waiting: 0, completed: 0, failed: 0, cancelled: 0 };
      for (const r of byStatus.rows) runsByStatus[r.status] = Number(r.n);
      for (const r of ended.rows) runsByStatus[r.status] = (runsByStatus[r.status] ?? 0) + Number(r.n);
      const ages = exceptions.rows.map((r) => Number(r.age_ms));
      let lower = 0;
      const byAge = AGE_BUCKETS.map(({ label, underMs }) => {
        const count = ages.filter((a) => a >= lower && (underMs === null || a < underMs)).length;
        lower = underMs ?? lower;
        return { label, count };
      });
      return {
        from: from.toISOString(), to: to.toISOString(), now: now.toISOString(), bucket, bucketMs,
        events: { total: eventsTotal, perSecond: eventsTotal / ((to.getTime() - from.getTime()) / 1000), series: eventSeries },
        runs: { byStatus: runsByStatus, completed, failed, completedTotal, failedTotal, errorRate: completedTotal + failedTotal === 0 ? null : failedTotal / (completedTotal + failedTotal) },
        approvals: { waiting: Number(approvals.rows[0]?.waiting ?? 0), breached: Number(approvals.rows[0]?.breached ?? 0) },
        exceptions: { open: ages.length, byAge },
      };
    },
  }),
];
