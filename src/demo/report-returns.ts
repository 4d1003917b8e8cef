/**
 * The demo report's returns line (returns pack): requests accepted and refused, refunds
 * reviewed by finance and credited, goods scrapped, and the share of requests settled with no
 * human touch (no approval, no case).
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/index.ts';

export interface ReturnsReport {
  requested: number;
  accepted: number;
  refused: number;
  reviewed: number;
  credited: number;
  scrappedUnits: number;
  /** Requests settled without an approval or a case, of all settled; null before any. */
  noTouchShare: number | null;
}

export async function returnsReport(db: Kysely<Database>): Promise<ReturnsReport> {
  const runs = await sql<{
    requested: string;
    accepted: string;
    refused: string;
    reviewed: string;
    touched: string;
  }>`
    SELECT count(DISTINCT r.id) AS requested,
           count(DISTINCT r.id) FILTER (WHERE s.step_id = 'accepted') AS accepted,
           count(DISTINCT r.id) FILTER (WHERE s.step_id IN ('refused', 'rejected', 'unknown-refused')) AS refused,
           count(DISTINCT r.id) FILTER (WHERE s.step_id = 'review') AS reviewed,
           count(DISTINCT r.id) FILTER (WHERE s.step_id IN ('review', 'refuse-case', 'unknown-order')) AS touched
    FROM runs r LEFT JOIN run_steps s ON s.run_id = r.id AND s.status = 'completed'
    WHERE r.workflow_id = 'return-request'`.execute(db);
  const refunds = await sql<{ credited: string; scrapped: string | null }>`
    SELECT count(*) AS credited, sum((payload->>'scrapped')::numeric) AS scrapped
    FROM events WHERE source = 'crossdock' AND type = 'refund.issued'`.execute(db);
  const row = runs.rows[0];
  const accepted = Number(row?.accepted ?? 0);
  const refused = Number(row?.refused ?? 0);
  const settled = accepted + refused;
  return {
    requested: Number(row?.requested ?? 0),
    accepted,
    refused,
    reviewed: Number(row?.reviewed ?? 0),
    credited: Number(refunds.rows[0]?.credited ?? 0),
    scrappedUnits: Number(refunds.rows[0]?.scrapped ?? 0),
    noTouchShare: settled === 0 ? null : (settled - Number(row?.touched ?? 0)) / settled,
  };
}

export function formatReturns(r: ReturnsReport): string {
  const share = r.noTouchShare === null ? '-' : `${Math.round(r.noTouchShare * 100)} %`;
  return `  returns         requested ${r.requested}: accepted ${r.accepted} (finance reviewed ${r.reviewed}), refused ${r.refused}; credit notes posted ${r.credited}, units scrapped ${r.scrappedUnits} (no human touch: ${share})`;
}
