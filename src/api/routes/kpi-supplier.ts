import { sql, type Kysely } from 'kysely';
import type { Database } from '../../store/index.ts';
import type { KpiWindow } from './kpi-queries.ts';

type Num = number | string | bigint;

/**
 * The supplier card (packs/supplier-delays): the on-time rate of purchase receipts as the
 * latest supplier-delay scan in the range found them (open receipts not late / open receipts;
 * null when no scan ran in the range or no receipt was open), and the late receipts found
 * (supplier-delay cases opened) and resolved (their receipt done) in the range. One scan run
 * an hour and one case per late receipt: both reads are small (runs_ended, a scan of
 * exception_cases as the error card does).
 */
export async function supplierKpis(db: Kysely<Database>, w: KpiWindow) {
  const scan = (
    await sql<{ output: { open?: unknown; late_count?: unknown } | null; ended_at: Date | string }>`
      SELECT output, ended_at FROM runs
      WHERE status = 'completed' AND workflow_id = 'supplier-delay-scan' AND ended_at >= ${w.from} AND ended_at < ${w.to}
      ORDER BY ended_at DESC LIMIT 1`.execute(db)
  ).rows[0];
  const open = Number(scan?.output?.open ?? 0);
  const late = Number(scan?.output?.late_count ?? 0);
  const cases = (
    await sql<{ found: Num; resolved: Num }>`
      SELECT count(*) FILTER (WHERE opened_at >= ${w.from} AND opened_at < ${w.to}) AS found,
             count(*) FILTER (WHERE status = 'resolved' AND closed_at >= ${w.from} AND closed_at < ${w.to}) AS resolved
      FROM exception_cases WHERE workflow_id = 'supplier-delay' AND error_code = 'SUPPLIER_DELAY'`.execute(
      db,
    )
  ).rows[0];
  return {
    scannedAt: scan ? new Date(scan.ended_at).toISOString() : null,
    openReceipts: open,
    lateReceipts: late,
    onTimeRate: scan && open > 0 ? (open - late) / open : null,
    delaysFound: Number(cases?.found ?? 0),
    delaysResolved: Number(cases?.resolved ?? 0),
  };
}
