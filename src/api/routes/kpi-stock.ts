import { sql, type Kysely } from 'kysely';
import type { Database } from '../../store/index.ts';
import type { KpiWindow } from './kpi-queries.ts';

type Db = Kysely<Database>;
type Num = number | string;

/** An Odoo datetime (naive UTC text) in a `purchase.received` payload, as a time; null when Odoo had none. */
const odooTime = (field: string) =>
  sql`CASE WHEN jsonb_typeof(e.payload->${field}) = 'string' THEN ((e.payload->>${field}) || '+00')::timestamptz END`;

const seconds = (v: Num | null | undefined) =>
  v === null || v === undefined ? null : Math.round(Number(v));

/**
 * The stock and procurement cards. Stock reservation failures: orders the order-release pack
 * held because their stock was not reserved (its STOCK_HOLD cases) opened in the range, and
 * those still held now. Replenishment cycle, over the purchase receipts done in the range
 * (`purchase.received`, recorded by packs/replenishment) whose purchase order a replenishment
 * run created: the time from the need (the run's creation) to the order's confirmation in Odoo
 * (`date_approve`) and to the receipt (`date_done`), median and mean, in whole seconds. Supplier on time: the
 * share of all purchase receipts done in the range by the order's planned date.
 */
export async function stockKpis(db: Db, w: KpiWindow) {
  const holds = await sql<{ opened: Num; held: Num }>`
    SELECT count(*) FILTER (WHERE opened_at >= ${w.from} AND opened_at < ${w.to}) AS opened,
           count(*) FILTER (WHERE status IN ('open', 'retrying')) AS held
    FROM exception_cases WHERE error_code = 'STOCK_HOLD'`.execute(db);
  // Receipts are few (one event each); the runs side is walked by runs_workflow.
  const cycle = await sql<{
    n: Num;
    confirm_p50: Num | null;
    confirm_avg: Num | null;
    receive_p50: Num | null;
    receive_avg: Num | null;
    total_p50: Num | null;
    total_avg: Num | null;
  }>`
    WITH received AS (
      SELECT e.payload->>'purchase_id' AS purchase_id, ${odooTime('confirmed_at')} AS confirmed_at, ${odooTime('received_at')} AS received_at
      FROM events e WHERE e.source = 'crossdock' AND e.type = 'purchase.received'),
    needs AS (
      -- In whole seconds, as Odoo keeps its dates: a confirmation in the need's second is not before it.
      SELECT s.output->>'id' AS purchase_id, date_trunc('second', min(r.created_at)) AS need_at
      FROM runs r JOIN run_steps s ON s.run_id = r.id AND s.step_id = 'rfq' AND s.status = 'completed'
      WHERE r.workflow_id = 'replenishment' GROUP BY 1),
    cycles AS (
      SELECT extract(epoch FROM (c.confirmed_at - n.need_at)) AS confirm_h,
             extract(epoch FROM (c.received_at - c.confirmed_at)) AS receive_h,
             extract(epoch FROM (c.received_at - n.need_at)) AS total_h
      FROM (SELECT purchase_id, min(confirmed_at) AS confirmed_at, max(received_at) AS received_at
            FROM received GROUP BY 1) c
      JOIN needs n ON n.purchase_id = c.purchase_id
      WHERE c.received_at >= ${w.from} AND c.received_at < ${w.to} AND c.confirmed_at IS NOT NULL)
    SELECT count(*) AS n,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY confirm_h) AS confirm_p50, avg(confirm_h) AS confirm_avg,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY receive_h) AS receive_p50, avg(receive_h) AS receive_avg,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY total_h) AS total_p50, avg(total_h) AS total_avg
    FROM cycles`.execute(db);
  const onTime = await sql<{ n: Num; on_time: Num }>`
    SELECT count(*) AS n, count(*) FILTER (WHERE received_at <= planned_at) AS on_time FROM (
      SELECT ${odooTime('received_at')} AS received_at, ${odooTime('planned_at')} AS planned_at
      FROM events e WHERE e.source = 'crossdock' AND e.type = 'purchase.received') r
    WHERE received_at >= ${w.from} AND received_at < ${w.to} AND planned_at IS NOT NULL`.execute(
    db,
  );
  const h = holds.rows[0];
  const c = cycle.rows[0];
  const t = onTime.rows[0];
  const receipts = Number(t?.n ?? 0);
  return {
    reservationFailures: { inRange: Number(h?.opened ?? 0), heldNow: Number(h?.held ?? 0) },
    replenishmentCycle: {
      received: Number(c?.n ?? 0),
      needToConfirmedSeconds: { p50: seconds(c?.confirm_p50), mean: seconds(c?.confirm_avg) },
      confirmedToReceivedSeconds: { p50: seconds(c?.receive_p50), mean: seconds(c?.receive_avg) },
      needToReceivedSeconds: { p50: seconds(c?.total_p50), mean: seconds(c?.total_avg) },
    },
    supplierOnTime: {
      receipts,
      onTime: Number(t?.on_time ?? 0),
      rate: receipts === 0 ? null : Math.round((Number(t?.on_time ?? 0) / receipts) * 1000) / 10,
    },
  };
}
