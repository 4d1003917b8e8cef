/**
 * What the demo shows: a live one-line summary read from the store, and the final report of
 * a bounded demo, which accounts for every order and checks that no work was lost or done
 * twice (one release run per order, one dispatch per released order, one booking per delivery).
 */
import { sql, type Kysely } from 'kysely';
import type { CarrierSimulator } from './simulators.ts';
import { billsReport, formatBills, type BillsReport } from './report-bills.ts';
import {
  formatReplenishment,
  replenishmentReport,
  type ReplenishmentReport,
} from './report-replenishment.ts';
import { formatInventory, inventoryReport, type InventoryReport } from './report-inventory.ts';
import { ediReport, formatEdi, type EdiReport } from './report-edi.ts';
import { formatShop, shopReport, type ShopReport } from './report-shop.ts';
import { formatInvoicing, invoicingReport, type InvoicingReport } from './report-invoicing.ts';
import { formatReturns, returnsReport, type ReturnsReport } from './report-returns.ts';
import {
  formatSupplierDelays,
  supplierDelaysReport,
  type SupplierDelaysReport,
} from './report-supplier-delays.ts';
import type { PlacedOrder } from './traffic.ts';
import { orderReleaseRuns, type Database } from '../store/index.ts';

type Db = Kysely<Database>;

export interface LiveSummary {
  events: number;
  runs: Record<string, number>;
  approvalsWaiting: number;
  exceptionsOpen: number;
}

export async function liveSummary(db: Db): Promise<LiveSummary> {
  const events = await sql<{ n: string }>`SELECT count(*) AS n FROM events`.execute(db);
  const runs = await sql<{
    status: string;
    n: string;
  }>`SELECT status, count(*) AS n FROM runs GROUP BY status`.execute(db);
  const approvals = await sql<{
    n: string;
  }>`SELECT count(*) AS n FROM approval_requests WHERE status = 'pending'`.execute(db);
  const exceptions = await sql<{
    n: string;
  }>`SELECT count(*) AS n FROM exception_cases WHERE status = 'open'`.execute(db);
  return {
    events: Number(events.rows[0]?.n ?? 0),
    runs: Object.fromEntries(runs.rows.map((r) => [r.status, Number(r.n)])),
    approvalsWaiting: Number(approvals.rows[0]?.n ?? 0),
    exceptionsOpen: Number(exceptions.rows[0]?.n ?? 0),
  };
}

export function formatSummary(
  s: LiveSummary,
  eventsPerSecond: number,
  elapsedS: number,
  held?: { times: number; seconds: number; sinceMs: number | null },
): string {
  const active = (s.runs.ready ?? 0) + (s.runs.running ?? 0) + (s.runs.queued ?? 0);
  const now = held?.sinceMs
    ? ` (holding for ${((Date.now() - held.sinceMs) / 1000).toFixed(0)} s)`
    : '';
  const holding =
    held && held.times > 0
      ? ` | orders held ${held.times} times, ${held.seconds.toFixed(0)} s in all${now}: Crossdock was behind`
      : '';
  return `[${elapsedS.toFixed(0).padStart(4)} s] events ${s.events} (${eventsPerSecond.toFixed(1)}/s) | runs: ${s.runs.completed ?? 0} completed, ${active} active, ${s.runs.waiting ?? 0} waiting, ${s.runs.failed ?? 0} failed | approvals waiting ${s.approvalsWaiting} | exceptions open ${s.exceptionsOpen}${holding}`;
}

/** True when nothing is left to do: each of `orders` (Odoo sale order ids; named, since EDI and shop orders have release runs too) has its order-release run, and every run has ended or waits for a person (an order held, or a damaged shipment offered a reship, its case open, counts as ended) or for a time hours away (a supplier delay's, a shop order's ship-by). */
export async function settled(db: Db, orders: readonly number[]): Promise<boolean> {
  const r = await sql<{ released: string; active: string; waiting: string }>`
    SELECT (SELECT count(DISTINCT input->>'id') FROM runs WHERE workflow_id = 'order-release' AND input->>'id' = ANY(${orders.map(String)}::text[])) AS released,
           count(*) FILTER (WHERE status IN ('queued', 'ready', 'running')) AS active,
           count(*) FILTER (WHERE status = 'waiting' AND NOT (workflow_id IN ('order-release', 'shipment-tracking') AND cursor = 'wait-action') AND NOT (workflow_id = 'supplier-delay' AND cursor IN ('wait-sla', 'wait-long')) AND NOT (workflow_id = 'shop-order-ship-by' AND cursor LIKE 'until-%')) AS waiting
    FROM runs`.execute(db);
  const row = r.rows[0]!;
  // A message claimed by a killed worker stays 'sending' until its claim expires (minutes), then
  // goes again; the report counts it as in flight rather than waiting for it.
  const outbox = await sql<{
    n: string;
  }>`SELECT count(*) AS n FROM notifications WHERE status = 'pending'`.execute(db);
  return (
    Number(row.released) === orders.length &&
    Number(row.active) === 0 &&
    Number(row.waiting) === 0 &&
    Number(outbox.rows[0]?.n ?? 0) === 0
  );
}

export interface DemoReport {
  orders: number;
  release: {
    auto: number;
    approved: number;
    rejected: number;
    held: number;
    heldForStock: number;
    failed: number;
    missing: number;
    duplicated: number;
  };
  dispatch: {
    booked: number;
    alreadyBooked: number;
    approvalGated: number;
    refused: number;
    freight: number;
    notReady: number;
    failed: number;
    missing: number;
    duplicated: number;
    fallbacksUsed: number;
    doubleBooked: number;
  };
  tracking: { delivered: number; shipmentCases: number };
  invoicing: InvoicingReport;
  replenishment: ReplenishmentReport;
  bills: BillsReport;
  returns: ReturnsReport;
  supplierDelays: SupplierDelaysReport;
  inventory: InventoryReport;
  /** The EDI customer's documents (packs/edi-orders). */
  edi: EdiReport;
  /** The shop's orders and stock levels (packs/shop-orders). */
  shop: ShopReport;
  approvals: { approved: number; rejected: number; pending: number };
  exceptionsOpen: number;
  emailsSent: number;
  /** Claimed for sending but not marked sent yet: being sent, or a killed worker's claim (sent again when it expires). */
  emailsInFlight: number;
  latencyMs: { confirmedToBooked: { p50: number | null; p99: number | null; count: number } };
  /** Orders over the time from the first confirmation to the last booking. */
  throughput: { ordersPerSecond: number | null };
  accountedFor: boolean;
  problems: string[];
  /** Worker processes of the chaos demo: how many ran, how many were SIGKILLed. */
  workers?: { processes: number; started: number; killed: number };
}

type RunRow = { id: string; status: string; key: string; steps: string[] };

/** Which steps each dispatch run went through: the outcome is read off its path. */
async function dispatchRuns(db: Db): Promise<RunRow[]> {
  const r = await sql<RunRow>`
    SELECT r.id, r.status, r.input->>'order_id' AS key,
           coalesce((SELECT array_agg(DISTINCT s.step_id) FROM run_steps s WHERE s.run_id = r.id AND s.status = 'completed'), ARRAY[]::text[]) AS steps
    FROM runs r WHERE r.workflow_id = 'dispatch'`.execute(db);
  return r.rows;
}

/** Runs grouped by the order they are for. */
function byOrder<T>(runs: T[], key: (run: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const run of runs) map.set(key(run), [...(map.get(key(run)) ?? []), run]);
  return map;
}

export async function finalReport(
  db: Db,
  placed: PlacedOrder[],
  carriers: CarrierSimulator,
  emailsSent: number,
  billsEntered = 0,
  shopCalls: readonly { status: number }[] = [],
): Promise<DemoReport> {
  const problems: string[] = [];
  // Each order-release run's outcome as the Overview's KPIs read it (store/pack-outcomes.ts).
  const releaseRuns = byOrder(await orderReleaseRuns(db), (run) => run.orderId);
  const dispatchRunsByOrder = byOrder(await dispatchRuns(db), (run) => run.key);
  const has = (run: RunRow, step: string) => run.steps.includes(step);

  const release = {
    auto: 0,
    approved: 0,
    rejected: 0,
    held: 0,
    heldForStock: 0,
    failed: 0,
    missing: 0,
    duplicated: 0,
  };
  const releasedIds: string[] = [];
  for (const order of placed) {
    const found = releaseRuns.get(String(order.id)) ?? [];
    if (found.length === 0) {
      release.missing++;
      problems.push(`order ${order.name} has no order-release run`);
      continue;
    }
    if (found.length > 1) {
      release.duplicated++;
      problems.push(`order ${order.name} has ${found.length} order-release runs`);
    }
    const run = found[0]!;
    if (run.outcome === null)
      problems.push(
        `order ${order.name}: order-release run ${run.id} is ${run.status} at no known outcome`,
      );
    else release[run.outcome]++;
    if (run.outcome === 'auto' || run.outcome === 'approved') releasedIds.push(String(order.id));
  }

  const dispatch = {
    booked: 0,
    alreadyBooked: 0,
    approvalGated: 0,
    refused: 0,
    freight: 0,
    notReady: 0,
    failed: 0,
    missing: 0,
    duplicated: 0,
    fallbacksUsed: 0,
    doubleBooked: 0,
  };
  for (const id of releasedIds) {
    const found = dispatchRunsByOrder.get(id) ?? [];
    if (found.length === 0) {
      dispatch.missing++;
      problems.push(`released order ${id} has no dispatch run`);
      continue;
    }
    if (found.length > 1) {
      dispatch.duplicated++;
      problems.push(`released order ${id} has ${found.length} dispatch runs`);
    }
    const run = found[0]!;
    if (has(run, 'approve')) dispatch.approvalGated++;
    if (run.status === 'failed') dispatch.failed++;
    else if (has(run, 'write-back')) dispatch.booked++;
    else if (has(run, 'already-booked')) dispatch.alreadyBooked++;
    else if (has(run, 'refused')) dispatch.refused++;
    else if (has(run, 'freight')) dispatch.freight++;
    else if (has(run, 'not-ready')) dispatch.notReady++;
    else
      problems.push(
        `released order ${id}: dispatch run ${run.id} is ${run.status} at no known outcome`,
      );
  }
  const fallbacks = await sql<{ n: string }>`
    SELECT count(*) AS n FROM run_steps s JOIN runs r ON r.id = s.run_id
    WHERE r.workflow_id = 'dispatch' AND s.step_id = 'book' AND s.status = 'completed' AND (s.output->>'fallbacks_used')::int > 0`.execute(
    db,
  );
  dispatch.fallbacksUsed = Number(fallbacks.rows[0]?.n ?? 0);

  // One booking per delivery across all carriers: a fallback must not leave the first carrier's booking behind.
  const perReference = new Map<string, number>();
  for (const profile of carriers.profiles) {
    for (const b of carriers.bookings(profile.code))
      if (b.status === 'booked')
        perReference.set(b.reference, (perReference.get(b.reference) ?? 0) + 1);
  }
  for (const [reference, n] of perReference) {
    if (n > 1) {
      dispatch.doubleBooked++;
      problems.push(`delivery ${reference} was booked ${n} times`);
    }
  }
  if (perReference.size !== dispatch.booked)
    problems.push(
      `carriers hold ${perReference.size} bookings, dispatch booked ${dispatch.booked}`,
    );

  const tracking = await sql<{ delivered: string; cases: string }>`
    SELECT count(*) FILTER (WHERE s.step_id = 'delivered') AS delivered, count(*) FILTER (WHERE s.step_id IN ('case', 'damage-case')) AS cases
    FROM run_steps s JOIN runs r ON r.id = s.run_id WHERE r.workflow_id = 'shipment-tracking' AND s.status = 'completed'`.execute(
    db,
  );
  const approvals = await sql<{
    status: string;
    n: string;
  }>`SELECT status, count(*) AS n FROM approval_requests GROUP BY status`.execute(db);
  const approvalCount = (s: string) => Number(approvals.rows.find((r) => r.status === s)?.n ?? 0);
  const open = await sql<{
    n: string;
  }>`SELECT count(*) AS n FROM exception_cases WHERE status = 'open'`.execute(db);
  const inFlight = await sql<{
    n: string;
  }>`SELECT count(*) AS n FROM notifications WHERE status = 'sending'`.execute(db);

  const { latencies, lastBookedAtMs } = await bookingLatencies(db, placed);
  const firstConfirmedAtMs = Math.min(...placed.map((o) => o.confirmedAtMs));
  const spanS = lastBookedAtMs === null ? null : (lastBookedAtMs - firstConfirmedAtMs) / 1000;
  const bills = await billsReport(db, billsEntered);
  problems.push(...bills.problems);
  const replenishment = await replenishmentReport(db);
  problems.push(...replenishment.problems);
  const outcomes =
    release.auto +
    release.approved +
    release.rejected +
    release.held +
    release.heldForStock +
    release.failed;
  return {
    orders: placed.length,
    release,
    dispatch,
    tracking: {
      delivered: Number(tracking.rows[0]?.delivered ?? 0),
      shipmentCases: Number(tracking.rows[0]?.cases ?? 0),
    },
    invoicing: await invoicingReport(db),
    replenishment,
    bills,
    returns: await returnsReport(db),
    supplierDelays: await supplierDelaysReport(db),
    inventory: await inventoryReport(db),
    edi: await ediReport(db),
    shop: await shopReport(db, shopCalls),
    approvals: {
      approved: approvalCount('approved'),
      rejected: approvalCount('rejected'),
      pending: approvalCount('pending'),
    },
    exceptionsOpen: Number(open.rows[0]?.n ?? 0),
    emailsSent,
    emailsInFlight: Number(inFlight.rows[0]?.n ?? 0),
    latencyMs: { confirmedToBooked: latencies },
    throughput: { ordersPerSecond: spanS === null || spanS <= 0 ? null : placed.length / spanS },
    accountedFor: outcomes === placed.length && problems.length === 0,
    problems,
  };
}

async function bookingLatencies(
  db: Db,
  placed: PlacedOrder[],
): Promise<{
  latencies: { p50: number | null; p99: number | null; count: number };
  lastBookedAtMs: number | null;
}> {
  const booked = await sql<{ order_id: string; booked_at: Date | string }>`
    SELECT r.input->>'order_id' AS order_id, s.ended_at AS booked_at
    FROM run_steps s JOIN runs r ON r.id = s.run_id
    WHERE r.workflow_id = 'dispatch' AND s.step_id = 'book' AND s.status = 'completed'`.execute(db);
  const confirmed = new Map(placed.map((o) => [String(o.id), o.confirmedAtMs]));
  const values = booked.rows
    .map((row) => new Date(row.booked_at).getTime() - (confirmed.get(row.order_id) ?? Number.NaN))
    .filter((v) => Number.isFinite(v))
    .sort((a, b) => a - b);
  const at = (q: number) =>
    values.length === 0
      ? null
      : values[Math.min(values.length - 1, Math.ceil(q * values.length) - 1)]!;
  const bookedAt = booked.rows.map((row) => new Date(row.booked_at).getTime());
  return {
    latencies: { p50: at(0.5), p99: at(0.99), count: values.length },
    lastBookedAtMs: bookedAt.length === 0 ? null : Math.max(...bookedAt),
  };
}

/** Orders released with no one's approval, of every order with a release decision. */
function releaseNoTouch(r: DemoReport): string {
  const { auto, approved, rejected, held, heldForStock } = r.release;
  const decided = auto + approved + rejected + held + heldForStock;
  return decided === 0 ? '-' : `${Math.round((auto / decided) * 100)} %`;
}

/** Why messages are still in flight: only a demo that killed workers can blame them. */
function inFlightReason(r: DemoReport): string {
  return (r.workers?.killed ?? 0) > 0
    ? 'being sent, or claimed by a worker that was killed: sent again when the claim expires'
    : 'being sent as the report was taken';
}

export function formatReport(r: DemoReport): string {
  const ms = (v: number | null) => (v === null ? '-' : `${Math.round(v)} ms`);
  return [
    '',
    `Crossdock demo: ${r.orders} orders`,
    `  order release   auto ${r.release.auto}, approved ${r.release.approved}, rejected ${r.release.rejected}, held as exception ${r.release.held}, held for stock ${r.release.heldForStock}, failed ${r.release.failed} (no human touch: ${releaseNoTouch(r)})`,
    `  dispatch        booked ${r.dispatch.booked} (carrier fallbacks used: ${r.dispatch.fallbacksUsed}), approval-gated ${r.dispatch.approvalGated}, refused ${r.dispatch.refused}, freight by hand ${r.dispatch.freight}, not ready ${r.dispatch.notReady}, failed ${r.dispatch.failed}`,
    `  tracking        delivered ${r.tracking.delivered}, shipment exception cases ${r.tracking.shipmentCases}`,
    formatInvoicing(r.invoicing),
    formatReplenishment(r.replenishment),
    formatBills(r.bills),
    formatReturns(r.returns),
    formatSupplierDelays(r.supplierDelays),
    formatInventory(r.inventory),
    formatEdi(r.edi),
    formatShop(r.shop),
    `  approvals       approved ${r.approvals.approved}, rejected ${r.approvals.rejected}, pending ${r.approvals.pending}`,
    `  exceptions open ${r.exceptionsOpen}; e-mails sent ${r.emailsSent}${r.emailsInFlight > 0 ? `, in flight ${r.emailsInFlight} (${inFlightReason(r)})` : ''}`,
    `  order confirmed -> carrier booked: p50 ${ms(r.latencyMs.confirmedToBooked.p50)}, p99 ${ms(r.latencyMs.confirmedToBooked.p99)} (${r.latencyMs.confirmedToBooked.count} bookings); ${r.throughput.ordersPerSecond === null ? '-' : r.throughput.ordersPerSecond.toFixed(2)} orders/s from the first confirmation to the last booking`,
    `  every order accounted for: ${r.accountedFor ? 'yes' : 'NO'}; lost release runs ${r.release.missing}, duplicated ${r.release.duplicated}; lost dispatch runs ${r.dispatch.missing}, duplicated ${r.dispatch.duplicated}; deliveries booked twice ${r.dispatch.doubleBooked}`,
    ...(r.workers && r.workers.processes > 0
      ? [
          `  worker processes ${r.workers.processes} (started ${r.workers.started}, killed with SIGKILL ${r.workers.killed})`,
        ]
      : []),
    ...r.problems.slice(0, 20).map((p) => `  problem: ${p}`),
    '',
  ].join('\n');
}
