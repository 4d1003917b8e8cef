/**
 * The demo report's shop line (packs/shop-orders, the demo's shop): orders received by
 * webhook and the sale orders made of them, SKUs the shop did not know of, cancellations, and
 * the stock levels: how many SKUs, how many show Odoo's current free quantity in the shop, how
 * many are still due, and how often the shop's rate limit answered 429; and the orders with a
 * ship-by (their watch runs), how many of them were made urgent, flagged at risk, or missed it.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/index.ts';

export interface ShopReport {
  orders: number;
  saleOrders: number;
  unknownSku: number;
  cancelled: number;
  levels: number;
  inSync: number;
  due: number;
  /** Inventory calls the shop answered 429 (its leaky bucket full), and all its calls. */
  throttled: number;
  calls: number;
  shipBy: { orders: number; urgent: number; atRisk: number; missed: number };
}

export async function shopReport(
  db: Kysely<Database>,
  calls: readonly { status: number }[],
): Promise<ShopReport> {
  const orders = await sql<{ created: string; cancelled: string }>`
    SELECT count(*) FILTER (WHERE type = 'shop.order.created') AS created,
           count(*) FILTER (WHERE type = 'shop.order.cancelled') AS cancelled
    FROM events WHERE source LIKE 'shop.%'`.execute(db);
  const runs = await sql<{ made: string; unknown: string }>`
    SELECT count(*) FILTER (WHERE EXISTS (SELECT 1 FROM run_steps s WHERE s.run_id = r.id AND s.step_id = 'confirm' AND s.status = 'completed')) AS made,
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM run_steps s WHERE s.run_id = r.id AND s.step_id = 'unknown-sku' AND s.status = 'completed')) AS unknown
    FROM runs r WHERE r.workflow_id = 'shop-order'`.execute(db);
  const levels = await sql<{ n: string; synced: string }>`
    SELECT count(*) AS n, count(*) FILTER (WHERE pushed_available = available) AS synced
    FROM shop_stock_levels`.execute(db);
  const watch = await sql<{ n: string; urgent: string; at_risk: string; missed: string }>`
    SELECT count(*) AS n,
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM run_steps s WHERE s.run_id = r.id AND s.step_id = 'urgent' AND s.status = 'completed')) AS urgent,
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM run_steps s WHERE s.run_id = r.id AND s.step_id = 'flag' AND s.status = 'completed')) AS at_risk,
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM run_steps s WHERE s.run_id = r.id AND s.step_id = 'late' AND s.status = 'completed')) AS missed
    FROM runs r WHERE r.workflow_id = 'shop-order-ship-by'`.execute(db);
  const w = watch.rows[0];
  const n = Number(levels.rows[0]?.n ?? 0);
  const inSync = Number(levels.rows[0]?.synced ?? 0);
  return {
    orders: Number(orders.rows[0]?.created ?? 0),
    saleOrders: Number(runs.rows[0]?.made ?? 0),
    unknownSku: Number(runs.rows[0]?.unknown ?? 0),
    cancelled: Number(orders.rows[0]?.cancelled ?? 0),
    levels: n,
    inSync,
    due: n - inSync,
    throttled: calls.filter((c) => c.status === 429).length,
    calls: calls.length,
    shipBy: {
      orders: Number(w?.n ?? 0),
      urgent: Number(w?.urgent ?? 0),
      atRisk: Number(w?.at_risk ?? 0),
      missed: Number(w?.missed ?? 0),
    },
  };
}

export function formatShop(r: ShopReport): string {
  return `  shop            orders received ${r.orders}, sale orders made ${r.saleOrders}, unknown SKU ${r.unknownSku}, cancelled ${r.cancelled}; stock levels ${r.levels} SKUs, in sync ${r.inSync}, due ${r.due}; inventory calls ${r.calls} (answered 429 ${r.throttled}); with a ship-by ${r.shipBy.orders} (made urgent ${r.shipBy.urgent}, at risk ${r.shipBy.atRisk}, missed ${r.shipBy.missed})`;
}
