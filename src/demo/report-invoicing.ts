/**
 * The demo report's invoicing line (delivery-to-cash pack): invoices released on a proof of
 * delivery, invoices held for finance, the share released with no human touch, and the
 * release time from delivered to posted (the `release_seconds` of each invoice.released).
 */
import { invoiceReleaseOutcomes, type Database } from '../store/index.ts';
import type { Kysely } from 'kysely';

export interface InvoicingReport {
  released: number;
  held: number;
  /** released / (released + held); null before any delivery was proven. */
  noTouchShare: number | null;
  deliveredToPostedS: { p50: number | null; p99: number | null; count: number };
}

export async function invoicingReport(db: Kysely<Database>): Promise<InvoicingReport> {
  const o = await invoiceReleaseOutcomes(db);
  const { count, p50, p99 } = o.releaseSeconds;
  return {
    released: o.released,
    held: o.held,
    noTouchShare: o.noTouchShare,
    deliveredToPostedS: { p50, p99, count },
  };
}

export function formatInvoicing(r: InvoicingReport): string {
  const share = r.noTouchShare === null ? '-' : `${Math.round(r.noTouchShare * 100)} %`;
  const s = (v: number | null) => (v === null ? '-' : `${v} s`);
  return `  invoicing       released on proof of delivery ${r.released}, held for finance ${r.held} (no human touch: ${share}); delivered -> invoice posted: p50 ${s(r.deliveredToPostedS.p50)}, p99 ${s(r.deliveredToPostedS.p99)}`;
}
