import { sql, type Kysely } from 'kysely';
import { CASE_TYPES } from '../../exceptions/index.ts';
import type { Database } from '../../store/index.ts';

/**
 * The overview's aggregates, one function per card, each one SQL query with an index to
 * walk: events by received_at (events_received); ended runs by (status, ended_at)
 * (runs_ended); runs active now by status (runs_active); pending approvals
 * (approval_requests_pending); open cases (exception_cases_open / _status_id); due runs
 * (runs_claimable, runs_queued); the outbox (notifications_due); connector_stats by its key.
 * Never a count over every run ever made.
 *
 * Range KPIs (events, ended runs, latency, connector calls) count what happened in
 * [from, to), per bucket; state KPIs (approvals, exceptions, queue) are as of `now`.
 */
export interface KpiWindow {
  from: Date;
  to: Date;
  /** The engine's clock: ages and "due" are measured from it. */
  now: Date;
  bucketMs: number;
  buckets: number;
}

type Db = Kysely<Database>;
type Num = number | string | bigint;
interface Slotted {
  b: number;
  n: Num;
}

const HOUR_MS = 3_600_000;

/** Open exception cases by how long they have been open; the last bucket has no upper bound. */
export const AGE_BUCKETS = [
  { label: '< 1 h', underMs: HOUR_MS },
  { label: '1-4 h', underMs: 4 * HOUR_MS },
  { label: '4-24 h', underMs: 24 * HOUR_MS },
  { label: '> 24 h', underMs: null },
] as const;

/** The bucket (0-based) of a timestamp column's value. */
function slot(w: KpiWindow, column: string) {
  return sql<number>`floor((extract(epoch FROM ${sql.ref(column)}) * 1000 - ${w.from.getTime()}::float8) / ${w.bucketMs}::float8)::int`;
}

/** Milliseconds from a timestamp column's value to `now`. */
function ageMs(w: KpiWindow, column: string) {
  return sql<number>`(extract(epoch FROM (${w.now}::timestamptz - ${sql.ref(column)})) * 1000)::float8`;
}

/** Counts per bucket as a dense array (zero where nothing happened). */
function dense(rows: Slotted[], buckets: number): number[] {
  const out = new Array<number>(buckets).fill(0);
  for (const r of rows) if (r.b >= 0 && r.b < buckets) out[r.b] = Number(r.n);
  return out;
}

/** Names in the same order on every server, whatever its collation. */
const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const msSince = (now: Date, at: Date | string | null | undefined) =>
  at ? now.getTime() - new Date(at).getTime() : null;

/** When the first event was received (events_received, read backwards from its end); null on an empty store. */
export async function firstEventAt(db: Db): Promise<Date | null> {
  const row = (
    await sql<{ at: Date | string | null }>`SELECT min(received_at) AS at FROM events`.execute(db)
  ).rows[0];
  return row?.at ? new Date(row.at) : null;
}

/** The recent windows the live rates are measured over, whatever the range. */
export const LIVE_WINDOWS_MS = [60_000, 300_000] as const;

/**
 * Events per second over the last minute and the last five, as of `now`. A window longer
 * than the system has been receiving is measured from the first event (at least 1 s), so a
 * system two minutes old reads its real rate, not a fifth of it.
 */
export async function liveKpis(db: Db, now: Date, firstEvent: Date | null) {
  const since = (ms: number) => new Date(now.getTime() - ms);
  const row = (
    await sql<{ n0: Num; n1: Num }>`SELECT
      count(*) FILTER (WHERE received_at >= ${since(LIVE_WINDOWS_MS[0])}) AS n0, count(*) AS n1
    FROM events WHERE received_at >= ${since(LIVE_WINDOWS_MS[1])} AND received_at <= ${now}`.execute(
      db,
    )
  ).rows[0];
  const counts = [Number(row?.n0 ?? 0), Number(row?.n1 ?? 0)];
  const ageMs = firstEvent ? Math.max(1000, now.getTime() - firstEvent.getTime()) : null;
  return {
    events: LIVE_WINDOWS_MS.map((windowMs, i) => {
      const measuredMs = ageMs === null ? windowMs : Math.min(windowMs, ageMs);
      return {
        windowMs,
        measuredMs,
        count: counts[i] ?? 0,
        perSecond: (counts[i] ?? 0) / (measuredMs / 1000),
      };
    }),
  };
}

export async function eventKpis(db: Db, w: KpiWindow) {
  const rows =
    await sql<Slotted>`SELECT ${slot(w, 'received_at')} AS b, count(*) AS n FROM events WHERE received_at >= ${w.from} AND received_at < ${w.to} GROUP BY 1`.execute(
      db,
    );
  const series = dense(rows.rows, w.buckets);
  const total = sum(series);
  return { total, perSecond: total / ((w.to.getTime() - w.from.getTime()) / 1000), series };
}

/** Runs active now (few, found through runs_active) plus those that ended in the range. */
export async function runKpis(db: Db, w: KpiWindow) {
  const [ended, active] = await Promise.all([
    sql<
      Slotted & { status: string }
    >`SELECT status, ${slot(w, 'ended_at')} AS b, count(*) AS n FROM runs
      WHERE status IN ('completed', 'failed', 'cancelled') AND ended_at >= ${w.from} AND ended_at < ${w.to} GROUP BY 1, 2`.execute(
      db,
    ),
    sql<{
      status: string;
      n: Num;
    }>`SELECT status, count(*) AS n FROM runs WHERE status IN ('queued', 'ready', 'running', 'waiting') GROUP BY status`.execute(
      db,
    ),
  ]);
  const completed = dense(
    ended.rows.filter((r) => r.status === 'completed'),
    w.buckets,
  );
  const failed = dense(
    ended.rows.filter((r) => r.status === 'failed'),
    w.buckets,
  );
  const byStatus: Record<string, number> = {
    queued: 0,
    ready: 0,
    running: 0,
    waiting: 0,
    completed: 0,
    failed: 0,
    cancelled: 0,
  };
  for (const r of active.rows) byStatus[r.status] = Number(r.n);
  for (const r of ended.rows) byStatus[r.status] = (byStatus[r.status] ?? 0) + Number(r.n);
  const completedTotal = sum(completed);
  const failedTotal = sum(failed);
  return {
    byStatus,
    completed,
    failed,
    completedTotal,
    failedTotal,
    errorRate:
      completedTotal + failedTotal === 0 ? null : failedTotal / (completedTotal + failedTotal),
  };
}

/**
 * Creation to completion of the runs of one workflow that completed in the range: p50 and
 * p90 (percentile_cont, interpolated) over the range and per bucket, in whole ms. Failed and
 * cancelled runs are not in it; a replayed run counts from its first creation.
 */
export async function latencyKpis(db: Db, w: KpiWindow, workflowId: string) {
  const rows = await sql<{
    b: number | null;
    total: number;
    n: Num;
    p50: number | null;
    p90: number | null;
  }>`
    SELECT b, GROUPING(b) AS total, count(*) AS n,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.9) WITHIN GROUP (ORDER BY ms) AS p90
    FROM (SELECT ${slot(w, 'ended_at')} AS b, (extract(epoch FROM (ended_at - created_at)) * 1000)::float8 AS ms
          FROM runs WHERE status = 'completed' AND ended_at >= ${w.from} AND ended_at < ${w.to} AND workflow_id = ${workflowId}) r
    GROUP BY GROUPING SETS ((b), ())`.execute(db);
  const round = (v: number | null | undefined) =>
    v === null || v === undefined ? null : Math.round(Number(v));
  const overall = rows.rows.find((r) => Number(r.total) === 1);
  const series = {
    count: new Array<number>(w.buckets).fill(0),
    p50Ms: new Array<number | null>(w.buckets).fill(null),
    p90Ms: new Array<number | null>(w.buckets).fill(null),
  };
  for (const r of rows.rows) {
    if (Number(r.total) === 1 || r.b === null || r.b < 0 || r.b >= w.buckets) continue;
    series.count[r.b] = Number(r.n);
    series.p50Ms[r.b] = round(r.p50);
    series.p90Ms[r.b] = round(r.p90);
  }
  return {
    workflowId,
    completed: Number(overall?.n ?? 0),
    p50Ms: round(overall?.p50),
    p90Ms: round(overall?.p90),
    series,
  };
}

/**
 * Pending requests by the name of their current level (chain[level].name): how many wait,
 * how many are past their SLA (marked breached, or the level's deadline passed and no
 * timer has looked yet), and the longest wait at that level (since the level started).
 */
export async function approvalKpis(db: Db, w: KpiWindow) {
  const rows = await sql<{ level: string; waiting: Num; breached: Num; started: Date | string }>`
    SELECT coalesce(chain -> level ->> 'name', 'level ' || (level + 1)) AS level, count(*) AS waiting,
           count(*) FILTER (WHERE breached OR level_due_at < ${w.now}) AS breached, min(level_started_at) AS started
    FROM approval_requests WHERE status = 'pending' GROUP BY 1`.execute(db);
  const byLevel = rows.rows
    .sort((a, b) => byCodePoint(a.level, b.level))
    .map((r) => ({
      level: r.level,
      waiting: Number(r.waiting),
      breached: Number(r.breached),
      oldestWaitMs: msSince(w.now, r.started) ?? 0,
    }));
  return {
    waiting: sum(byLevel.map((l) => l.waiting)),
    breached: sum(byLevel.map((l) => l.breached)),
    byLevel,
  };
}

/** Open cases (open or retrying) as a matrix: case type x age bucket (every known type, zeros included). */
export async function exceptionKpis(db: Db, w: KpiWindow) {
  const age = ageMs(w, 'opened_at');
  const bounded = AGE_BUCKETS.filter((b) => b.underMs !== null);
  const bucketOf = sql<number>`CASE ${sql.join(
    bounded.map((b, i) => sql`WHEN ${age} < ${sql.lit(b.underMs)} THEN ${sql.lit(i)}`),
    sql` `,
  )} ELSE ${sql.lit(bounded.length)} END`;
  const rows = await sql<{ type: string; b: number; n: Num }>`
    SELECT type, b, count(*) AS n FROM (SELECT type, ${bucketOf} AS b FROM exception_cases WHERE status IN ('open', 'retrying')) c GROUP BY 1, 2`.execute(
    db,
  );
  const types = [
    ...CASE_TYPES,
    ...new Set(
      rows.rows.map((r) => r.type).filter((t) => !(CASE_TYPES as readonly string[]).includes(t)),
    ),
  ];
  const byType = types.map((type) => {
    const byAge = AGE_BUCKETS.map((_, i) =>
      Number(rows.rows.find((r) => r.type === type && Number(r.b) === i)?.n ?? 0),
    );
    return { type, open: sum(byAge), byAge };
  });
  const byAge = AGE_BUCKETS.map(({ label }, i) => ({
    label,
    count: sum(byType.map((t) => t.byAge[i] ?? 0)),
  }));
  // Cases opened in the range, whatever their status now: what "new cases" means on the error card.
  // A scan of exception_cases (one row per case, far fewer than runs); opened_at has no index over every status.
  const opened = await sql<{
    n: Num;
  }>`SELECT count(*) AS n FROM exception_cases WHERE opened_at >= ${w.from} AND opened_at < ${w.to}`.execute(
    db,
  );
  return {
    open: sum(byAge.map((b) => b.count)),
    openedInRange: Number(opened.rows[0]?.n ?? 0),
    byAge,
    ageBuckets: AGE_BUCKETS.map((b) => b.label),
    byType,
  };
}

/**
 * Work nobody has picked up, as of now: runs due and not claimed (ready, or waiting with
 * their timer due: what crossdock_queue_depth counts), runs queued for admission
 * (concurrency limits), and messages pending in the outbox; with the oldest of each.
 */
export async function queueKpis(db: Db, w: KpiWindow) {
  const row = (
    await sql<{
      due: Num;
      oldest_due: Date | string | null;
      queued: Num;
      pending: Num;
      oldest_pending: Date | string | null;
    }>`SELECT
      (SELECT count(*) FROM runs WHERE status IN ('ready', 'waiting') AND available_at <= ${w.now}) AS due,
      (SELECT min(available_at) FROM runs WHERE status IN ('ready', 'waiting') AND available_at <= ${w.now}) AS oldest_due,
      (SELECT count(*) FROM runs WHERE status = 'queued') AS queued,
      (SELECT count(*) FROM notifications WHERE status = 'pending') AS pending,
      (SELECT min(created_at) FROM notifications WHERE status = 'pending') AS oldest_pending`.execute(
      db,
    )
  ).rows[0];
  return {
    runsDue: Number(row?.due ?? 0),
    oldestDueMs: msSince(w.now, row?.oldest_due),
    runsQueued: Number(row?.queued ?? 0),
    notificationsPending: Number(row?.pending ?? 0),
    oldestNotificationMs: msSince(w.now, row?.oldest_pending),
  };
}

/**
 * Calls and errors per connector in the range, from connector_stats (minutes whose start
 * is in the range), with the error rate; only connectors that were called.
 */
export async function connectorKpis(db: Db, w: KpiWindow) {
  const rows = await sql<{ connector: string; b: number; calls: Num; errors: Num }>`
    SELECT connector, ${slot(w, 'bucket_start')} AS b, sum(calls) AS calls, sum(errors) AS errors FROM connector_stats
    WHERE bucket_start >= ${w.from} AND bucket_start < ${w.to} GROUP BY 1, 2`.execute(db);
  const names = [...new Set(rows.rows.map((r) => r.connector))].sort(byCodePoint);
  return names.map((connector) => {
    const mine = rows.rows.filter((r) => r.connector === connector);
    const calls = dense(
      mine.map((r) => ({ b: r.b, n: r.calls })),
      w.buckets,
    );
    const errors = dense(
      mine.map((r) => ({ b: r.b, n: r.errors })),
      w.buckets,
    );
    const callsTotal = sum(calls);
    const errorsTotal = sum(errors);
    return {
      connector,
      calls: callsTotal,
      errors: errorsTotal,
      errorRate: callsTotal === 0 ? null : errorsTotal / callsTotal,
      series: { calls, errors },
    };
  });
}

type ConnectorKpi = Awaited<ReturnType<typeof connectorKpis>>[number];

/**
 * All connector calls of the range together, and the worst connector: the highest share
 * of failed calls among those with a failure (more failures first when equal); null when
 * no call failed.
 */
export function integrationKpis(connectors: ConnectorKpi[]) {
  const calls = sum(connectors.map((c) => c.calls));
  const errors = sum(connectors.map((c) => c.errors));
  const failing = connectors
    .filter((c) => c.errors > 0)
    .sort(
      (a, b) =>
        (b.errorRate ?? 0) - (a.errorRate ?? 0) ||
        b.errors - a.errors ||
        byCodePoint(a.connector, b.connector),
    );
  const worst = failing[0];
  return {
    calls,
    errors,
    errorRate: calls === 0 ? null : errors / calls,
    worst: worst
      ? {
          connector: worst.connector,
          calls: worst.calls,
          errors: worst.errors,
          errorRate: worst.errorRate,
        }
      : null,
  };
}
