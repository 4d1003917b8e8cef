import { z } from 'zod';
import { Permission } from '../../auth/index.ts';
import { CrossdockError } from '../../errors/index.ts';
import { queryTime, route } from '../route.ts';
import { approvalKpis, connectorKpis, eventKpis, exceptionKpis, latencyKpis, queueKpis, runKpis, type KpiWindow } from './kpi-queries.ts';

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
  /** Whose creation-to-completion latency the latency card shows. */
  latencyWorkflow: z.string().min(1).max(200).default('order-release'),
});

/** The overview's KPIs; each card's query is in kpi-queries.ts. */
export const kpiRoutes = [
  route({
    method: 'GET', path: '/api/v1/kpis', tag: 'metrics', access: Permission.runsRead, query: KpiQuery,
    summary: 'Dashboard KPIs. Over the range, per bucket: events per second, ended runs and their error rate, p50/p90 creation-to-completion latency of `latencyWorkflow` (default order-release), calls and error rate per connector (odoo:<connection>, carrier:<code>; flushed every 5 s). As of now: runs by state, approvals waiting and past SLA by current level, open exceptions by type and age, queue depth (runs due and not claimed, queued runs, pending notifications)',
    handler: async ({ services, query }) => {
      const w = kpiWindow(services.engine.clock.now(), query);
      const db = services.engine.store.db;
      const [events, runs, latency, approvals, exceptions, queue, connectors] = await Promise.all([
        eventKpis(db, w), runKpis(db, w), latencyKpis(db, w, query.latencyWorkflow), approvalKpis(db, w), exceptionKpis(db, w), queueKpis(db, w), connectorKpis(db, w),
      ]);
      return {
        from: w.from.toISOString(), to: w.to.toISOString(), now: w.now.toISOString(), bucket: w.bucket, bucketMs: w.bucketMs,
        events, runs, latency, approvals, exceptions, queue, connectors,
      };
    },
  }),
];

/** The range and its buckets: `to` defaults to now, `from` to `last` (24 h) before it; the bucket follows the span (1m up to 2 h, 15m up to 2 days, 6h beyond). */
function kpiWindow(now: Date, query: z.infer<typeof KpiQuery>): KpiWindow & { bucket: KpiBucket } {
  const to = query.to ?? now;
  const from = query.from ?? new Date(to.getTime() - KpiSpan[query.last ?? '24h']);
  const spanMs = to.getTime() - from.getTime();
  const bucket = query.bucket ?? (spanMs <= 2 * HOUR_MS ? '1m' : spanMs <= 2 * 24 * HOUR_MS ? '15m' : '6h');
  const bucketMs = KpiBucket[bucket];
  const buckets = Math.ceil(spanMs / bucketMs);
  if (buckets < 1 || buckets > MAX_BUCKETS) {
    throw new CrossdockError('REQUEST_INVALID', 'The query is not valid', { category: 'user', retryable: false, details: [{ path: 'query.bucket', message: `from..to must be later than from and span 1 to ${MAX_BUCKETS} buckets of ${bucket}` }] });
  }
  return { from, to, now, bucket, bucketMs, buckets };
}
