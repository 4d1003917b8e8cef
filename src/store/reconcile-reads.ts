import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';

/**
 * The ledger's finding types (the `finding` of each `reconcile.finding` event).
 * What the reconciliation sweep looks for: a record in Odoo that the packs should have
 * acted on and did not (a lost hint with the poller behind, a workflow not loaded at the
 * time, a warehouse that validated a delivery by hand). Each type names what is done about it.
 */
export const FindingType = {
  /** A confirmed sale order with no order-release run: its release is requested again. */
  unreleasedOrder: 'unreleased-order',
  /** An order held for stock whose delivery is Ready now: its held run checks again. */
  heldOrderReady: 'held-order-ready',
  /** A delivery done in Odoo with no tracking reference, or no dispatch run: a case for dispatch. */
  deliveryNotDispatched: 'delivery-not-dispatched',
  /** A confirmed purchase order past its planned date with nothing received: a case for purchasing. */
  receiptOverdue: 'receipt-overdue',
  /** An order whose delivery is done and still has something to invoice: a case for finance. */
  deliveryNotInvoiced: 'delivery-not-invoiced',
} as const;
export type FindingType = (typeof FindingType)[keyof typeof FindingType];
export const FINDING_TYPES = Object.values(FindingType) as [FindingType, ...FindingType[]];

/**
 * The reads the reconciliation sweep makes of Crossdock's side (runs, cases, events), by the
 * keys the packs use: order-release runs by `sale.order:<id>`, dispatch runs by
 * `dispatch:<order id>`, findings by their event key. Read-only; the sweep's own writes go
 * through the intake (events) and the exception queue (cases).
 */

/** The concurrency keys of `keys` that some run of the workflow (in any status) has held. */
export async function keysWithRuns(
  db: Kysely<Database>,
  workflowId: string,
  keys: readonly string[],
): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await db
    .selectFrom('runs')
    .select('concurrency_key')
    .distinct()
    .where('workflow_id', '=', workflowId)
    .where('concurrency_key', 'in', [...keys])
    .execute();
  return new Set(rows.map((r) => r.concurrency_key!));
}

/** A run parked on an open case of a given code (an order-release run held for stock). */
export interface HeldRun {
  runId: string;
  caseId: string;
  concurrencyKey: string;
}

/**
 * The waiting runs of a workflow, among `keys`, whose open case has the code `code`: the
 * case its `raise_exception` step opened (the newest, if the run was held more than once).
 */
export async function runsHeldOnCase(
  db: Kysely<Database>,
  workflowId: string,
  code: string,
  keys: readonly string[],
): Promise<HeldRun[]> {
  if (keys.length === 0) return [];
  const rows = await db
    .selectFrom('runs as r')
    .innerJoin('exception_cases as c', 'c.run_id', 'r.id')
    .select(['r.id as run_id', 'r.concurrency_key', sql<string>`max(c.id)`.as('case_id')])
    .where('r.workflow_id', '=', workflowId)
    .where('r.status', '=', 'waiting')
    .where('r.concurrency_key', 'in', [...keys])
    .where('c.error_code', '=', code)
    .where('c.status', 'in', ['open', 'retrying'])
    .groupBy(['r.id', 'r.concurrency_key'])
    .execute();
  return rows.map((r) => ({
    runId: String(r.run_id),
    caseId: String(r.case_id),
    concurrencyKey: r.concurrency_key!,
  }));
}

/** The events of one source and type among `keys`, by key, with their payloads. */
export async function eventsByKey(
  db: Kysely<Database>,
  source: string,
  type: string,
  keys: readonly string[],
): Promise<Map<string, Record<string, unknown>>> {
  if (keys.length === 0) return new Map();
  const rows = await db
    .selectFrom('events')
    .select(['dedupe_key', 'payload'])
    .where('source', '=', source)
    .where('type', '=', type)
    .where('dedupe_key', 'in', [...keys])
    .execute();
  return new Map(rows.map((r) => [r.dedupe_key, r.payload as Record<string, unknown>]));
}

/** How many events of one source and type there are, by a text field of their payload. */
export async function eventCountsByField(
  db: Kysely<Database>,
  source: string,
  type: string,
  field: string,
): Promise<Map<string, number>> {
  const rows = await sql<{ value: string | null; n: string | number }>`
    SELECT payload->>${field} AS value, count(*) AS n FROM events
    WHERE source = ${source} AND type = ${type} GROUP BY 1`.execute(db);
  return new Map(rows.rows.map((r) => [r.value ?? '', Number(r.n)]));
}
