/**
 * The demo report's EDI line (packs/edi-orders, the demo's EDI customer): interchanges
 * received and rejected, the orders they carried, what was sent back by transaction set, and
 * how many of our documents the partner's 997s acknowledged.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/index.ts';

export interface EdiReport {
  interchanges: number;
  rejected: number;
  orders: number;
  /** Documents sent, by transaction set (997, 855, 856, 810, TA1). */
  sent: Record<string, number>;
  /** Of the documents that expect a 997: acknowledged (accepted or not), and still waiting. */
  acknowledged: number;
  awaitingAck: number;
  /** Not delivered: failed or dead in the outbox. */
  undelivered: number;
}

export async function ediReport(db: Kysely<Database>): Promise<EdiReport> {
  const received = await sql<{ n: string; rejected: string }>`
    SELECT count(*) AS n, count(*) FILTER (WHERE status = 'rejected') AS rejected FROM edi_interchanges`.execute(
    db,
  );
  const orders = await sql<{ n: string }>`
    SELECT count(*) AS n FROM events WHERE type = 'edi.purchase_order'`.execute(db);
  const docs = await sql<{ transaction_set: string; status: string; acked: string; n: string }>`
    SELECT transaction_set, status, (ack_status IS NOT NULL) AS acked, count(*) AS n
    FROM edi_documents GROUP BY transaction_set, status, (ack_status IS NOT NULL)`.execute(db);
  const report: EdiReport = {
    interchanges: Number(received.rows[0]?.n ?? 0),
    rejected: Number(received.rows[0]?.rejected ?? 0),
    orders: Number(orders.rows[0]?.n ?? 0),
    sent: {},
    acknowledged: 0,
    awaitingAck: 0,
    undelivered: 0,
  };
  for (const row of docs.rows) {
    const n = Number(row.n);
    const acked = String(row.acked) === 'true';
    if (row.status === 'sent') {
      report.sent[row.transaction_set] = (report.sent[row.transaction_set] ?? 0) + n;
      if (acked) report.acknowledged += n;
      else if (row.transaction_set !== '997' && row.transaction_set !== 'TA1')
        report.awaitingAck += n;
    } else if (row.status === 'failed' || row.status === 'dead') report.undelivered += n;
  }
  return report;
}

export function formatEdi(r: EdiReport): string {
  const sent = ['997', 'TA1', '855', '856', '810']
    .filter((set) => (r.sent[set] ?? 0) > 0)
    .map((set) => `${set} ${r.sent[set]}`)
    .join(', ');
  return `  edi             interchanges received ${r.interchanges} (rejected ${r.rejected}), orders ${r.orders}; sent ${sent || 'nothing'}; acknowledged by the partner ${r.acknowledged}, awaiting a 997 ${r.awaitingAck}, undelivered ${r.undelivered}`;
}
