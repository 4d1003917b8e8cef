import { z } from 'zod';
import { Permission } from '../../auth/index.ts';
import { CrossdockError } from '../../errors/index.ts';
import { queryTime, route } from '../route.ts';
import {
  approvalKpis,
  connectorKpis,
  eventKpis,
  exceptionKpis,
  firstEventAt,
  integrationKpis,
  latencyKpis,
  liveKpis,
  queueKpis,
  runKpis,
  type KpiWindow,
} from './kpi-queries.ts';
import { outcomeKpis } from './kpi-outcomes.ts';
import { stockKpis } from './kpi-stock.ts';
import { supplierKpis } from './kpi-supplier.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
export const KpiBucket = {
  '10s': 10_000,
  '1m': MINUTE_MS,
  '5m': 5 * MINUTE_MS,
  '15m': 15 * MINUTE_MS,
  '1h': HOUR_MS,
  '6h': 6 * HOUR_MS,
  '1d': 24 * HOUR_MS,
} as const;
export type KpiBucket = keyof typeof KpiBucket;
const KpiSpan = { '1h': HOUR_MS, '24h': 24 * HOUR_MS, '7d': 7 * 24 * HOUR_MS } as const;
const MAX_BUCKETS = 1000;

const KpiQuery = z.strictObject({
  from: queryTime.optional(),
  to: queryTime.optional(),
  /** Instead of `from`: this much before `to` (which defaults to the server's now). */
  last: z
    .enum(Object.keys(KpiSpan) as [keyof typeof KpiSpan, ...(keyof typeof KpiSpan)[]])
    .optional(),
  bucket: z.enum(Object.keys(KpiBucket) as [KpiBucket, ...KpiBucket[]]).optional(),
  /**
   * true: a range that starts before the first event ever received starts at that event's
   * bucket instead, so the charts span the data a young system has (totals are the same:
   * nothing happened before it).
   */
  fit: z.enum(['true', 'false']).optional(),
  /** Whose creation-to-completion latency the latency card shows. */
  latencyWorkflow: z.string().min(1).max(200).default('order-release'),
});

/** The overview's KPIs; each card's query is in kpi-queries.ts. */
export const kpiRoutes = [
  route({
    method: 'GET',
    path: '/api/v1/kpis',
    tag: 'metrics',
    access: Permission.runsRead,
    query: KpiQuery,
    summary:
      'Dashboard KPIs. Live, as of now: events per second over the last 1 and 5 minutes (from the first event when the system is younger). Over the range (fit=true: from the first event when the range starts before it), per bucket: events per second, ended runs and their error rate, p50/p90 creation-to-completion latency of `latencyWorkflow` (default order-release), calls and error rate per connector (odoo:<connection>, carrier:<code>; per minute, flushed every 5 s) and of all of them with the worst connector named, exception cases opened. As of now: runs by state, approvals waiting and past SLA by current level, open exceptions by type and age, queue depth (runs due and not claimed, queued runs, pending notifications). Stock: reservation failures (STOCK_HOLD cases opened in the range, held now), replenishment cycle (need -> purchase order confirmed -> received, seconds, median and mean, over receipts in the range), supplier on-time rate (receipts in the range by their planned date). Supplier (packs/supplier-delays): open purchase receipts on schedule at the last scan in the range, late receipts found and resolved in the range. Invoice release (packs/delivery-to-cash): invoices posted on a proof of delivery in the range, delivered to posted (`release_seconds`) p50/p90 at nearest rank, released with no human touch vs held for finance (invoice-release runs that ended in `hold-case`). No touch (a run counts in the range its last step ended in): order releases auto vs approved vs held, vendor bills posted on a match vs after an approved variance, returns accepted with no review or case, inventory counts applied at once vs after two approvals',
    handler: async ({ services, query }) => {
      const db = services.engine.store.db;
      const firstEvent = await firstEventAt(db);
      const w = kpiWindow(
        services.engine.clock.now(),
        query,
        query.fit === 'true' ? firstEvent : null,
      );
      const [
        live,
        events,
        runs,
        latency,
        approvals,
        exceptions,
        queue,
        connectors,
        stock,
        supplier,
        outcomes,
      ] = await Promise.all([
        liveKpis(db, w.now, firstEvent),
        eventKpis(db, w),
        runKpis(db, w),
        latencyKpis(db, w, query.latencyWorkflow),
        approvalKpis(db, w),
        exceptionKpis(db, w),
        queueKpis(db, w),
        connectorKpis(db, w),
        stockKpis(db, w),
        supplierKpis(db, w),
        outcomeKpis(db, w),
      ]);
      return {
        from: w.from.toISOString(),
        to: w.to.toISOString(),
        requestedFrom: w.requestedFrom.toISOString(),
        now: w.now.toISOString(),
        bucket: w.bucket,
        bucketMs: w.bucketMs,
        firstEventAt: firstEvent?.toISOString() ?? null,
        live,
        events,
        runs,
        latency,
        approvals,
        exceptions,
        queue,
        connectors,
        integration: integrationKpis(connectors),
        stock,
        supplier,
        ...outcomes,
      };
    },
  }),
];

/**
 * The range and its buckets: `to` defaults to now, `from` to `last` (24 h) before it; when
 * `fitTo` (the first event) is later than `from`, the range starts at its bucket (or minute) instead.
 * The bucket follows the span (10s up to 10 min, 1m up to 2 h, 15m up to 2 days, 6h beyond).
 */
function kpiWindow(
  now: Date,
  query: z.infer<typeof KpiQuery>,
  fitTo: Date | null,
): KpiWindow & { bucket: KpiBucket; requestedFrom: Date } {
  const to = query.to ?? now;
  const requestedFrom = query.from ?? new Date(to.getTime() - KpiSpan[query.last ?? '24h']);
  const start = fitTo && fitTo > requestedFrom && fitTo < to ? fitTo : requestedFrom;
  const spanMs = to.getTime() - start.getTime();
  const bucket =
    query.bucket ??
    (spanMs <= 10 * MINUTE_MS
      ? '10s'
      : spanMs <= 2 * HOUR_MS
        ? '1m'
        : spanMs <= 2 * 24 * HOUR_MS
          ? '15m'
          : '6h');
  const bucketMs = KpiBucket[bucket];
  // A fitted range starts on a whole minute at least: connector calls are counted per minute.
  const align = Math.max(bucketMs, MINUTE_MS);
  const from =
    start === requestedFrom
      ? start
      : new Date(Math.max(requestedFrom.getTime(), Math.floor(start.getTime() / align) * align));
  const fittedSpanMs = to.getTime() - from.getTime();
  const buckets = Math.ceil(fittedSpanMs / bucketMs);
  if (buckets < 1 || buckets > MAX_BUCKETS) {
    throw new CrossdockError('REQUEST_INVALID', 'The query is not valid', {
      category: 'user',
      retryable: false,
      details: [
        {
          path: 'query.bucket',
          message: `from..to must be later than from and span 1 to ${MAX_BUCKETS} buckets of ${bucket}`,
        },
      ],
    });
  }
  return { from, to, requestedFrom, now, bucket, bucketMs, buckets };
}
