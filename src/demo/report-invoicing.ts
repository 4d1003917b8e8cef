/**
 * The demo report's invoicing line (delivery-to-cash pack): invoices released on a proof of
 * delivery, invoices held for finance, the share released with no human touch, and the
 * release time from delivered to posted (the `release_seconds` of each invoice.released).
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/index.ts';

export interface InvoicingReport {
  released: number;
  held: number;
  /** released / (released + held); null before any delivery was proven. */
  noTouchShare: number | null;
  deliveredToPostedS: { p50: number | null; p99: number | null; count: number };
}

export async function invoicingReport(db: Kysely<Database>): Promise<InvoicingReport> {
  const outcomes = await sql<{ released: string; held: string }>`
    SELECT count(*) FILTER (WHERE s.step_id = 'released') AS released, count(*) FILTER (WHERE s.step_id = 'hold-case') AS held
    FROM run_steps s JOIN runs r ON r.id = s.run_id WHERE r.workflow_id = 'invoice-release' AND s.status = 'completed'`.execute(
    db,
  );
  const times = await sql<{ s: number | string }>`
    SELECT (payload->>'release_seconds')::numeric AS s FROM events WHERE source = 'crossdock' AND type = 'invoice.released'`.execute(
    db,
  );
  const released = Number(outcomes.rows[0]?.released ?? 0);
  const held = Number(outcomes.rows[0]?.held ?? 0);
  const values = times.rows
    .map((row) => Number(row.s))
    .filter((v) => Number.isFinite(v))
    .sort((a, b) => a - b);
  const at = (q: number) =>
    values.length === 0
      ? null
      : values[Math.min(values.length - 1, Math.ceil(q * values.length) - 1)]!;
  return {
    released,
    held,
    noTouchShare: released + held === 0 ? null : released / (released + held),
    deliveredToPostedS: { p50: at(0.5), p99: at(0.99), count: values.length },
  };
}

export function formatInvoicing(r: InvoicingReport): string {
  const share = r.noTouchShare === null ? '-' : `${Math.round(r.noTouchShare * 100)} %`;
  const s = (v: number | null) => (v === null ? '-' : `${v} s`);
  return `  invoicing       released on proof of delivery ${r.released}, held for finance ${r.held} (no human touch: ${share}); delivered -> invoice posted: p50 ${s(r.deliveredToPostedS.p50)}, p99 ${s(r.deliveredToPostedS.p99)}`;
}
